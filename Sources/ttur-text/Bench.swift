import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print side-by-side numbers for BENCHMARKS.md.",
        subcommands: [BenchPrepare.self, BenchJSD.self]
    )

    func run() throws { throw NotImplementedYet(command: "bench") }
}
