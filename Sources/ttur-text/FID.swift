import ArgumentParser

struct FID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fid",
        abstract: "Fréchet Inception Distance between two image sets or statistics files."
    )

    @Argument(help: "Image folder, .npy array or .npz statistics.")
    var first: String

    @Argument(help: "Image folder, .npy array or .npz statistics.")
    var second: String

    func run() throws { throw NotImplementedYet(command: "fid") }
}
