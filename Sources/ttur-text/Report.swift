import ArgumentParser

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "HTML report with plots of JSD/FID against wall-clock time for runs."
    )

    @Argument(help: "Run directories.")
    var runs: [String] = []

    func run() throws { throw NotImplementedYet(command: "report") }
}
