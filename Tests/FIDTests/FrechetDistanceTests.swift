@testable import FID
import Foundation
import XCTest
import _TestSupport

final class FrechetDistanceTests: XCTestCase {
    /// Deterministic pseudo-random features (splitmix64 → uniform in [-1, 1)).
    static func features(rows: Int, columns: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0 ..< rows * columns).map { index in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            // A little correlation between neighbouring columns.
            return Float(Double(z >> 11) / Double(1 << 53) * 2 - 1) + (index % columns == 0 ? 0 : 0.3)
        }
    }

    static func statistics(_ features: [Float], rows: Int, columns: Int) -> FeatureStatistics {
        var accumulator = StatisticsAccumulator(dimensions: columns)
        features.withUnsafeBufferPointer { accumulator.add($0, rows: rows) }
        return accumulator.statistics()
    }

    func testMatchesPytorchFIDOnTheFixtureToOneMillionth() throws {
        let a = try FeatureStatistics(contentsOf: try SharedData.require("fixtures/fid/stats_a.npz"))
        let b = try FeatureStatistics(contentsOf: try SharedData.require("fixtures/fid/stats_b.npz"))
        let reference = 76.49693188909578   // expected.json, pytorch-fid calculate_frechet_distance
        let result = try frechetDistance(a, b)
        XCTAssertEqual(result.distance, reference, accuracy: 1e-6 * reference)
        XCTAssertEqual(try frechetDistance(b, a).distance, reference, accuracy: 1e-6 * reference)
    }

    func testIdenticalStatisticsGiveZero() throws {
        let a = try FeatureStatistics(contentsOf: try SharedData.require("fixtures/fid/stats_a.npz"))
        XCTAssertEqual(try frechetDistance(a, a).distance, 0, accuracy: 1e-9)
        let small = Self.statistics(Self.features(rows: 500, columns: 32, seed: 3), rows: 500, columns: 32)
        XCTAssertEqual(try frechetDistance(small, small).distance, 0, accuracy: 1e-9)
    }

    func testRankDeficientCovariancesGiveAFiniteNonNegativeValueAndWarn() throws {
        // 10 samples in 40 dimensions: both covariances have rank 9.
        let a = Self.statistics(Self.features(rows: 10, columns: 40, seed: 1), rows: 10, columns: 40)
        let b = Self.statistics(Self.features(rows: 10, columns: 40, seed: 2), rows: 10, columns: 40)
        let result = try frechetDistance(a, b)
        XCTAssertTrue(result.distance.isFinite && result.distance >= 0, "\(result.distance)")
        XCTAssertTrue(result.warnings.contains { $0.contains("first set has 10 samples for 40") }, "\(result.warnings)")
        XCTAssertTrue(result.warnings.contains { $0.contains("second set has 10 samples") })
        XCTAssertTrue(result.warnings.contains { $0.contains("Σ₁ is singular") || $0.contains("clamped") }, "\(result.warnings)")
        // Identical rank-deficient sets: still zero.
        XCTAssertEqual(try frechetDistance(a, a).distance, 0, accuracy: 1e-9)
        // A covariance of rank zero (one sample).
        let single = Self.statistics(Self.features(rows: 1, columns: 8, seed: 4), rows: 1, columns: 8)
        let other = Self.statistics(Self.features(rows: 30, columns: 8, seed: 5), rows: 30, columns: 8)
        XCTAssertTrue(try frechetDistance(single, other).distance.isFinite)
    }

    func testEigenFallbackAgreesWithCholeskyPath() throws {
        let a = Self.statistics(Self.features(rows: 200, columns: 24, seed: 7), rows: 200, columns: 24)
        let b = Self.statistics(Self.features(rows: 200, columns: 24, seed: 8), rows: 200, columns: 24)
        let fast = try frechetDistance(a, b)
        XCTAssertTrue(fast.warnings.isEmpty, "\(fast.warnings)")
        // Same similarity, other factor: √Σ₁ from the eigen-decomposition.
        let (factor, _) = try eigenFactor(a.covariance, n: 24)
        var temporary = [Double](repeating: 0, count: 24 * 24), product = temporary
        for i in 0..<24 { for j in 0..<24 { for k in 0..<24 { temporary[j * 24 + i] += b.covariance[k * 24 + i] * factor.values[j * 24 + k] } } }
        for i in 0..<24 { for j in 0..<24 { for k in 0..<24 { product[j * 24 + i] += factor.values[i * 24 + k] * temporary[j * 24 + k] } } }
        let eigenvalues = try symmetricEigenvalues(&product, n: 24)
        XCTAssertEqual(eigenvalues.reduce(0) { $0 + max($1, 0).squareRoot() }, fast.traceSqrt, accuracy: 1e-10 * fast.traceSqrt)
    }

    func testNaNInputIsAnErrorNotANaN() {
        let good = FeatureStatistics(mean: [0, 0], covariance: [1, 0, 0, 1], sampleCount: 10)
        let bad = FeatureStatistics(mean: [.nan, 0], covariance: [1, 0, 0, 1], sampleCount: 10)
        XCTAssertThrowsError(try frechetDistance(good, bad))
        let mismatched = FeatureStatistics(mean: [0], covariance: [1], sampleCount: 10)
        XCTAssertThrowsError(try frechetDistance(good, mismatched))
    }

    func testTwoGaussiansInClosedForm() throws {
        // Diagonal covariances: d² = |Δμ|² + Σ (√a − √b)².
        let a = FeatureStatistics(mean: [1, 2, 3], covariance: [4, 0, 0, 0, 9, 0, 0, 0, 1], sampleCount: nil)
        let b = FeatureStatistics(mean: [0, 2, 5], covariance: [1, 0, 0, 0, 4, 0, 0, 0, 16], sampleCount: nil)
        XCTAssertEqual(try frechetDistance(a, b).distance, 1 + 4 + 1 + 1 + 9, accuracy: 1e-12)
    }
}
