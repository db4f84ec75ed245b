import ArgumentParser

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print sentences generated from a training run's checkpoint."
    )

    @Option(name: .customLong("run"), help: "Run directory.")
    var runDirectory: String

    @Option(name: .short, help: "Number of sentences.")
    var n: Int = 20

    func run() throws { throw NotImplementedYet(command: "sample") }
}
