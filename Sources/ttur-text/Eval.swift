import ArgumentParser

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate samples against a prepared dataset.",
        subcommands: [EvalJSD.self]
    )
}

struct EvalJSD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsd",
        abstract: "N-gram Jensen-Shannon divergence of samples against the corpus statistics."
    )

    @Option(help: "Prepared dataset directory.")
    var data: String

    @Option(help: "Samples file, one sentence a line.")
    var samples: String

    func run() throws { throw NotImplementedYet(command: "eval jsd") }
}
