@testable import FID
import Foundation
import Tensors
import XCTest
import _TestSupport

final class NumpyTests: XCTestCase {
    func testNpyRoundTripAndHeaderAlignment() throws {
        let array = NumpyArray(SafeTensorsEntry(doubles: [1, 2, 3, 4, 5, 6], shape: [2, 3]))
        let bytes = array.npyData()
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0)
        XCTAssertEqual(try NumpyArray(npy: bytes), array)
        let text = NumpyArray(string: "{\"a\": \"ü\"}")
        XCTAssertEqual(try NumpyArray(npy: text.npyData()).string(), "{\"a\": \"ü\"}")
    }

    func testReadsTheImagesFixture() throws {
        let images = try NumpyArray(contentsOf: try SharedData.require("fixtures/fid/images.npy"))
        XCTAssertEqual(images.descr, "|u1")
        XCTAssertEqual(images.shape, [6, 64, 64, 3])
        XCTAssertEqual(images.data.count, 6 * 64 * 64 * 3)
    }

    func testReadsCompressedTTURStatistics() throws {
        let statistics = try FeatureStatistics(contentsOf: try SharedData.require("fixtures/fid/stats_a.npz"))
        XCTAssertEqual(statistics.dimensions, 768)
        XCTAssertNil(statistics.sampleCount)
        XCTAssertEqual(statistics.covariance[1], statistics.covariance[768], "sigma is symmetric")
    }

    func testStatisticsRoundTripWithProvenance() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-stats-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: url) }
        let statistics = FeatureStatistics(mean: [1, -2], covariance: [2, 0.5, 0.5, 1], sampleCount: 40,
                                           provenance: ["weights_sha256": "abc", "preprocessing": "x"])
        try statistics.write(to: url)
        XCTAssertEqual(try FeatureStatistics(contentsOf: url), statistics)
        let arrays = try NumpyArchive.read(url)
        XCTAssertEqual(arrays["mu"]?.descr, "<f8")
        XCTAssertEqual(arrays["sigma"]?.shape, [2, 2])
    }

    /// Statistics ttur-text writes carry the digest of their arrays. A changed byte inside a
    /// member is already caught by the zip's CRC-32; the digest also catches arrays changed
    /// and re-zipped with valid CRCs, or a member dropped. Both are one-line errors naming
    /// the file; the same arrays without the digest (numpy's, pytorch-fid's) load as they are.
    func testWrittenStatisticsCarryAChecksumThatCatchesDamage() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-stats-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try FeatureStatistics(mean: [1, -2], covariance: [2, 0.5, 0.5, 1], sampleCount: 40).write(to: url)
        let written = try NumpyArchive.read(url)
        XCTAssertEqual(try written[NumpyArchive.checksumName]?.string(), NumpyArchive.digest(of: written))

        var bytes = try Data(contentsOf: url)
        let two = withUnsafeBytes(of: Double(2).bitPattern.littleEndian) { Data($0) }
        let at = try XCTUnwrap(bytes.range(of: two)).lowerBound
        bytes[at + 7] ^= 0x01
        try bytes.write(to: url)
        XCTAssertThrowsError(try FeatureStatistics(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("\(url.path)[sigma.npy]: zip member sigma.npy: CRC-32 mismatch"), "\(error)")
        }

        var changed = written
        changed["sigma"]!.data[7] ^= 0x01  // valid CRCs, the old digest
        try NumpyArchive.write(changed, to: url)
        XCTAssertThrowsError(try FeatureStatistics(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(url.path): corrupt: the arrays do not match their SHA-256"), "\(error)")
        }
        var dropped = written
        dropped["n_samples"] = nil
        try NumpyArchive.write(dropped, to: url)
        XCTAssertThrowsError(try FeatureStatistics(contentsOf: url))

        changed[NumpyArchive.checksumName] = nil
        try NumpyArchive.write(changed, to: url)
        XCTAssertEqual(try FeatureStatistics(contentsOf: url).covariance[0], Double(bitPattern: Double(2).bitPattern ^ (1 << 56)))
    }

    func testMalformedNpyIsAClearError() {
        XCTAssertThrowsError(try NumpyArray(npy: Data("NUMPY".utf8)))
        let good = NumpyArray(SafeTensorsEntry(floats: [1, 2, 3], shape: [3])).npyData()
        for length in [9, 20, good.count - 1] {
            XCTAssertThrowsError(try NumpyArray(npy: good.prefix(length)), "cut at \(length)")
        }
        var object = good
        object.replaceSubrange(21 ..< 24, with: Array("|O8".utf8))
        XCTAssertThrowsError(try NumpyArray(npy: object))
        // A shape whose byte count overflows Int (found by libFuzzer): an error, not a trap.
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3999999999999999999), }"
        let padded = header + String(repeating: " ", count: (64 - (10 + header.count + 1) % 64) % 64) + "\n"
        let huge = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(padded.count & 0xFF), UInt8(padded.count >> 8)])
            + Data(padded.utf8) + Data(count: 16)
        XCTAssertThrowsError(try NumpyArray(npy: huge)) { XCTAssertTrue("\($0)".contains("impossible .npy shape"), "\($0)") }
    }
}
