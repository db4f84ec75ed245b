import Basics
@testable import FID
import Foundation
import XCTest
import _TestSupport

/// KID against torch-fidelity 0.4.0 and precision/recall against torch-fidelity and a NumPy
/// reference, on the small feature sets of `Tests/Fixtures/metrics/kid_pr.npz`
/// (`scripts/metrics_reference.py`).
final class KIDAndPrecisionRecallTests: XCTestCase {
    private static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/metrics/kid_pr.npz")

    private struct Reference {
        let arrays: [String: NumpyArray]
        func doubles(_ name: String) throws -> [Double] { try XCTUnwrap(arrays[name], name).entry().doubles() }
        func scalar(_ name: String) throws -> Double { try doubles(name)[0] }
        func features(_ name: String) throws -> FeatureSet {
            let array = try XCTUnwrap(arrays[name], name)
            return try FeatureSet(array.entry().floats(), dimensions: array.shape[1], source: name)
        }
    }

    private func reference() throws -> Reference { Reference(arrays: try NumpyArchive.read(Self.fixture)) }

    /// The largest relative difference seen per tolerance, printed at the end of each test.
    private var largest: [Double: Double] = [:]
    override func tearDown() {
        for (tolerance, difference) in largest.sorted(by: { $0.key < $1.key }) {
            print("\(name): largest relative difference \(difference) (tolerance \(tolerance))")
        }
        largest = [:]
    }

    private func assertRelative(_ value: Double, _ expected: Double, _ tolerance: Double, _ what: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        let difference = abs(value - expected) / max(abs(expected), .leastNormalMagnitude)
        largest[tolerance] = max(largest[tolerance] ?? 0, difference)
        XCTAssertLessThanOrEqual(abs(value - expected), tolerance * abs(expected),
                                 "\(what): \(value) against \(expected)", file: file, line: line)
    }

    /// torch-fidelity's own subsets (its RandomState draws, replayed by the script): each
    /// subset's MMD², the mean and the standard deviation to 1e-12 relative of its float64
    /// run, and to 1e-5 of its float32 run (what it computes on Inception's float32 features).
    func testKIDMatchesTorchFidelityOnItsSubsets() throws {
        let r = try reference()
        let (generated, real) = (try r.features("generated"), try r.features("real"))
        let indices = try XCTUnwrap(r.arrays["kid_subset_indices"]).entry().integers().map(Int.init)
        let settings = try XCTUnwrap(r.arrays["kid_settings"]).entry().integers().map(Int.init)
        let (size, count) = (settings[0], settings[1])
        let subsets = (0..<count).map { i in
            KIDSubset(first: Array(indices[(2 * i) * size ..< (2 * i + 1) * size]),
                      second: Array(indices[(2 * i + 1) * size ..< (2 * i + 2) * size]))
        }
        let kid = try kernelInceptionDistance(generated, real, subsets: subsets)
        for (i, (value, expected)) in zip(kid.subsetValues, try r.doubles("kid_subset_mmd")).enumerated() {
            assertRelative(value, expected, 1e-12, "subset \(i)")
        }
        assertRelative(kid.mean, try r.scalar("kid_mean"), 1e-12, "mean")
        assertRelative(kid.standardDeviation, try r.scalar("kid_std"), 1e-12, "standard deviation")
        assertRelative(kid.mean, try r.scalar("kid_mean_float32"), 1e-5, "mean against float32")
        assertRelative(kid.standardDeviation, try r.scalar("kid_std_float32"), 1e-5, "standard deviation against float32")
    }

    /// With subsets as large as both sets (110 each), torch-fidelity's number does
    /// not depend on which features its generator picks: ours, seeded, must give it too.
    func testSeededKIDOfWholeSetsMatchesTorchFidelity() throws {
        let r = try reference()
        let generated = try r.features("generated"), real = try r.features("real")
        let firstRows = try FeatureSet(Array(generated.values.prefix(real.count * generated.dimensions)),
                                       dimensions: generated.dimensions, source: "generated")
        let whole = try kernelInceptionDistance(firstRows, real, subsetSize: real.count, subsets: 3)
        assertRelative(whole.mean, try r.scalar("kid_whole"), 1e-12, "mean of whole sets")
        XCTAssertLessThanOrEqual(whole.standardDeviation, 1e-12 * whole.mean)
    }

    func testKIDIsSeeded() throws {
        let r = try reference()
        let generated = try r.features("generated"), real = try r.features("real")
        let a = try kernelInceptionDistance(generated, real, subsetSize: 50, subsets: 10)
        XCTAssertEqual(a, try kernelInceptionDistance(generated, real, subsetSize: 50, subsets: 10))
        XCTAssertNotEqual(a, try kernelInceptionDistance(generated, real, subsetSize: 50, subsets: 10, seed: 7))
        XCTAssertEqual(a.subsetValues.count, 10)
        XCTAssertEqual(a.subsetSize, 50)
    }

    /// Precision and recall exactly as the NumPy reference and torch-fidelity count them
    /// (no pair lies within 1e-9 of a ball's edge), radii to 1e-12 relative.
    func testPrecisionRecallMatchReferences() throws {
        let r = try reference()
        let generated = try r.features("generated"), real = try r.features("real")
        let realManifold = try FeatureManifold(real), generatedManifold = try FeatureManifold(generated)
        for (radius, expected) in zip(realManifold.radii, try r.doubles("real_radii")) { assertRelative(radius, expected, 1e-12, "real radius") }
        for (radius, expected) in zip(generatedManifold.radii, try r.doubles("generated_radii")) {
            assertRelative(radius, expected, 1e-12, "generated radius")
        }
        let pr = try PrecisionRecall(real: real, generated: generated)
        XCTAssertEqual(pr.precision, try r.scalar("precision"))
        XCTAssertEqual(pr.recall, try r.scalar("recall"))
        XCTAssertEqual(pr, try PrecisionRecall(real: realManifold, generated: generatedManifold))
        // A set against itself covers itself.
        let own = try PrecisionRecall(real: real, generated: real)
        XCTAssertEqual(own.precision, 1)
        XCTAssertEqual(own.recall, 1)
    }

    func testBadInputIsAOneLineError() throws {
        let wide = try FeatureSet([Float](repeating: 1, count: 40), dimensions: 4, source: "wide")
        let narrow = try FeatureSet([Float](repeating: 1, count: 30), dimensions: 3, source: "narrow")
        let empty = try FeatureSet([], dimensions: 4, source: "empty")
        assertLocatedError(try kernelInceptionDistance(wide, narrow, subsetSize: 5, subsets: 2),
                           mentions: ["KID", "wide have 4 dimensions", "narrow 3"])
        assertLocatedError(try kernelInceptionDistance(wide, wide, subsetSize: 11, subsets: 2),
                           mentions: ["wide", "10 features, fewer than the 11 of a KID subset"])
        assertLocatedError(try kernelInceptionDistance(wide, empty, subsetSize: 5, subsets: 2),
                           mentions: ["empty", "no features"])
        assertLocatedError(try kernelInceptionDistance(wide, wide, subsetSize: 1, subsets: 2), mentions: ["at least 2"])
        assertLocatedError(try kernelInceptionDistance(wide, wide, subsetSize: 5, subsets: 0), mentions: ["at least one subset"])
        assertLocatedError(try PrecisionRecall(real: wide, generated: narrow), mentions: ["precision/recall", "4 dimensions"])
        assertLocatedError(try PrecisionRecall(real: wide, generated: empty), mentions: ["empty", "no features"])
        let three = try FeatureSet([Float](repeating: 1, count: 12), dimensions: 4, source: "three")
        assertLocatedError(try FeatureManifold(three), mentions: ["three", "3 features, fewer than the 4 that k = 3"])
        assertLocatedError(try FeatureSet([1, 2, 3], dimensions: 2, source: "ragged"), mentions: ["ragged", "not rows of 2"])
        assertLocatedError(try FeatureSet([1, .nan], dimensions: 2, source: "nan"), mentions: ["nan", "NaN"])
    }
}
