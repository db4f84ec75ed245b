@testable import FID
import Foundation
import Tensors
import XCTest

/// FD∞ against `scripts/fd_infinity_reference.py` (dgm-eval's algorithm, its subsets stored
/// and replayed here) on `Tests/Fixtures/metrics/fd_infinity.npz`.
final class FDInfinityTests: XCTestCase {
    private static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/metrics/fd_infinity.npz")

    /// The sizes exactly; each subset's distance and the fit to 1e-9 relative (8 dimensions:
    /// the square root of the covariance product is where the two implementations round apart).
    func testMatchesTheReferenceOnItsSubsets() throws {
        let arrays = try NumpyArchive.read(Self.fixture)
        func doubles(_ name: String) throws -> [Double] { try XCTUnwrap(arrays[name], name).entry().doubles() }
        let reference = try XCTUnwrap(arrays["reference"]), generatedArray = try XCTUnwrap(arrays["generated"])
        let d = reference.shape[1]
        var accumulator = StatisticsAccumulator(dimensions: d)
        let referenceValues = try reference.entry().floats()
        referenceValues.withUnsafeBufferPointer { accumulator.add($0, rows: reference.shape[0]) }
        let generated = try FeatureSet(try generatedArray.entry().floats(), dimensions: d, source: "generated")

        let sizes = try XCTUnwrap(arrays["sizes"]).entry().integers().map(Int.init)
        XCTAssertEqual(FDInfinity.sampleSizes(count: generated.count), sizes)
        let table = try XCTUnwrap(arrays["subsets"]).entry().integers()
        let subsets = sizes.enumerated().map { row, size in (0..<size).map { Int(table[row * generated.count + $0]) } }
        let result = try FDInfinity(reference: accumulator.statistics(), generated: generated, subsets: subsets)
        for (point, expected) in zip(result.points, try doubles("fds")) {
            XCTAssertEqual(point.distance, expected, accuracy: 1e-9 * expected, "n = \(point.size)")
        }
        let value = try doubles("fd_infinity")[0], slope = try doubles("slope")[0]
        XCTAssertEqual(result.value, value, accuracy: 1e-9 * abs(value))
        XCTAssertEqual(result.slope, slope, accuracy: 1e-9 * abs(slope))
        XCTAssertGreaterThan(result.slope, 0, "the distance falls with more samples: its bias is positive")
    }

    func testSampleSizesFollowNumpysLinspaceAndSeededDrawsRepeat() throws {
        XCTAssertEqual(FDInfinity.sampleSizes(count: 50_000), [5000, 8214, 11428, 14642, 17857, 21071, 24285, 27500,
                                                               30714, 33928, 37142, 40357, 43571, 46785, 50000])
        let features = try FeatureSet((0 ..< 200).map { Float(($0 * 7919) % 101) / 10 }, dimensions: 2, source: "f")
        let reference = FeatureStatistics(mean: [5, 5], covariance: [8, 0, 0, 8], sampleCount: nil)
        let a = try FDInfinity(reference: reference, generated: features, seed: 3)
        let b = try FDInfinity(reference: reference, generated: features, seed: 3)
        XCTAssertEqual(a.value, b.value)
        XCTAssertThrowsError(try FDInfinity(reference: reference, generated: try FeatureSet([1, 2, 3, 4], dimensions: 2, source: "tiny")))
    }
}
