@testable import FID
import Foundation
import Tensors
import XCTest

/// Density and coverage against the authors' `prdc` 0.2 on the feature sets of
/// `Tests/Fixtures/metrics/density_coverage.npz` (`scripts/density_coverage_reference.py`).
final class DensityCoverageTests: XCTestCase {
    private static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/metrics/density_coverage.npz")

    private func features(_ arrays: [String: NumpyArray], _ name: String) throws -> FeatureSet {
        let array = try XCTUnwrap(arrays[name], name)
        return try FeatureSet(array.entry().floats(), dimensions: array.shape[1], source: name)
    }

    /// Both are ratios of counts: equal to the last bit (the features are float32 values, so
    /// both sides see the same numbers; a tie at a ball's edge would show as a count off by one).
    func testMatchesPRDC() throws {
        let arrays = try NumpyArchive.read(Self.fixture)
        let k = Int(try XCTUnwrap(arrays["k"]).entry().integers()[0])
        let result = try DensityCoverage(real: features(arrays, "real"), generated: features(arrays, "generated"), neighbourhood: k)
        XCTAssertEqual(k, DensityCoverage.defaultNeighbourhood)
        XCTAssertEqual(result.density, try XCTUnwrap(arrays["density"]).entry().doubles()[0], accuracy: 1e-15 * 4)
        XCTAssertEqual(result.coverage, try XCTUnwrap(arrays["coverage"]).entry().doubles()[0])
        XCTAssertGreaterThan(result.density, 1, "the fixture's generated features crowd the dense part")
        XCTAssertLessThan(result.coverage, 1, "the fixture leaves real features uncovered")
    }

    func testIdenticalSetsCoverEverythingAndBadInputIsAnError() throws {
        let values = (0 ..< 60).map { Float(($0 * 37) % 11) / 3 }
        let set = try FeatureSet(values, dimensions: 3, source: "a")
        let same = try DensityCoverage(real: set, generated: set, neighbourhood: 2)
        XCTAssertEqual(same.coverage, 1)
        XCTAssertThrowsError(try DensityCoverage(real: set, generated: try FeatureSet([1, 2], dimensions: 2, source: "b")))
        XCTAssertThrowsError(try DensityCoverage(real: try FeatureSet([1, 2, 3], dimensions: 3, source: "c"), generated: set))
    }
}
