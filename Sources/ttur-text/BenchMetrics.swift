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
        var random = RandomSource(seed: 1)
        func features(_ count: Int, shift: Double) throws -> FeatureSet {
            try FeatureSet((0..<(count * dimensions)).map { _ in Float(abs(random.nextNormal() + shift)) },
                           dimensions: dimensions, source: "random")
        }
        let fake = try features(generated, shift: 0.1), truth = try features(real, shift: 0)
        var start = Date()
        let kid = try kernelInceptionDistance(fake, truth)
        print(String(format: "KID, 100 subsets of 1000, %d features: %.1f s (%.6f ± %.6f)", dimensions,
                     Date().timeIntervalSince(start), kid.mean, kid.standardDeviation))
        start = Date()
        let pr = try PrecisionRecall(real: truth, generated: fake)
        print(String(format: "precision/recall, %d real, %d generated, %d features: %.1f s (%.4f, %.4f)", real, generated,
                     dimensions, Date().timeIntervalSince(start), pr.precision, pr.recall))
        print("load average: \(CorpusBench.loadAverage())")
    }
}
