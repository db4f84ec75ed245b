import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print side-by-side numbers for BENCHMARKS.md.",
        discussion: """
            Each benchmark can run its reference (PyTorch, pytorch-fid, the Python oracles) in \
            the same command at the same thread count, so ratios are measured under the same \
            machine load.
            """,
        subcommands: [BenchTrainStep.self, BenchImageStep.self, BenchPrepare.self, BenchJSD.self, BenchFID.self, BenchMetrics.self, BenchIntegrity.self]
    )
}
