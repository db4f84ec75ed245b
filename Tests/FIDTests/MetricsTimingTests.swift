import Basics
import FID
import Foundation
import Tensors
import XCTest

/// Times KID and precision/recall at the sizes of an Inception evaluation (2048 features,
/// 5,000 generated against 10,000 real); only with TTUR_METRICS_TIMING=1, as it takes a minute.
final class MetricsTimingTests: XCTestCase {
    func testTimeKIDAndPrecisionRecallAtInceptionSize() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["TTUR_METRICS_TIMING"] == "1", "set TTUR_METRICS_TIMING=1")
        Engine.setThreads(Int(ProcessInfo.processInfo.environment["TTUR_METRICS_THREADS"] ?? "2") ?? 2)
        var random = RandomSource(seed: 1)
        func features(_ count: Int, shift: Double) throws -> FeatureSet {
            try FeatureSet((0..<(count * 2048)).map { _ in Float(abs(random.nextNormal() + shift)) }, dimensions: 2048, source: "random")
        }
        let generated = try features(5000, shift: 0.1), real = try features(10000, shift: 0)
        var start = Date()
        let kid = try kernelInceptionDistance(generated, real)
        print(String(format: "KID, 100 subsets of 1000, 2048 features: %.1f s (%.6f ± %.6f)", Date().timeIntervalSince(start),
                     kid.mean, kid.standardDeviation))
        start = Date()
        let pr = try PrecisionRecall(real: real, generated: generated)
        print(String(format: "precision/recall, 10000 real, 5000 generated, 2048 features: %.1f s (%.4f, %.4f)",
                     Date().timeIntervalSince(start), pr.precision, pr.recall))
    }
}
