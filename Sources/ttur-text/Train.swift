import ArgumentParser

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the character-level WGAN-GP under TTUR or the original schedule.",
        discussion: """
            TTUR (default): critic lr 3e-4, generator lr 1e-4, one critic step per generator \
            step. orig: 1e-4 / 1e-4 with ten critic steps. The n-gram JSD against the real \
            corpus is logged as training runs.
            """
    )

    @Option(help: "Largest n-gram order for the JSD evaluation.")
    var ngram: Int = 6

    func run() throws { throw NotImplementedYet(command: "train") }
}
