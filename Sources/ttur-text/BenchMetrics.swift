import ArgumentParser
import FID
import Benchmarks
import Foundation
import Tensors

/// `ttur-text bench metrics`: KID and improved precision/recall at the sizes of an Inception
/// evaluation (2048 features, 5,000 generated against 10,000 real), on seeded random features.
struct BenchMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Time KID (100 subsets of 1,000) and precision/recall (k = 3) at Inception size."
    )

    @Option(help: "Feature width.") var dimensions = 2048
    @Option(help: "Generated features.") var generated = 5000
    @Option(help: "Real features.") var real = 10000
    @Option(help: "Threads.") var threads = 2

    func validate() throws {
        guard dimensions > 0, generated >= 1000, real >= 1000, threads > 0 else {
            throw ValidationError("--dimensions and --threads must be positive, --generated and --real at least 1000 (KID's subset)")
        }
    }

    func run() throws {
        Engine.setThreads(threads)
        try MetricsBench.run(dimensions: dimensions, generated: generated, real: real, report: ProgressLine())
        print("load average: \(CorpusBench.loadAverage())")
    }
}
