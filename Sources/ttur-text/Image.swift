import ArgumentParser

struct Image: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Image mode: DCGAN under TTUR, scored by FID.",
        discussion: "Subcommands train, sample and features arrive with the image-mode issue."
    )

    func run() throws { throw NotImplementedYet(command: "image") }
}
