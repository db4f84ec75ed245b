import Foundation
@testable import ImageData
import XCTest
import _TestSupport

final class CIFAR10Tests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "ttur-cifar") }
    override func tearDown() { temporary = nil }

    /// The release's layout with two or three records per batch.
    private func writeRelease(nested: Bool) throws -> (root: URL, labels: [String: [UInt8]]) {
        let folder = nested ? temporary.url.appendingPathComponent("cifar-10-batches-bin") : temporary.url
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var labels: [String: [UInt8]] = [:]
        for (seed, name) in ((1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]).enumerated() {
            let batch: [UInt8] = (0 ..< 2 + seed % 2).map { UInt8(($0 + seed) % 10) }
            labels[name] = batch
            try Fixtures.cifarBatch(labels: batch, seed: seed).write(to: folder.appendingPathComponent(name))
        }
        return (temporary.url, labels)
    }

    func testTrainAndTestSplitsConvertPlanesToHWC() throws {
        for nested in [false, true] {
            let (root, labels) = try writeRelease(nested: nested)
            let train = try CIFAR10.load(directory: root, split: .train)
            let trainLabels = (1...5).flatMap { labels["data_batch_\($0).bin"]! }
            XCTAssertEqual(train.count, trainLabels.count)
            XCTAssertEqual(train.labels, trainLabels)
            XCTAssertEqual([train.height, train.width, train.channels], [32, 32, 3])
            XCTAssertEqual(train.classNames?[9], "truck")
            // Record 1 of data_batch_2 (seed 1) is image 3 (batch 1 holds 2 records).
            let image = 3
            for (pixel, channel) in [(0, 0), (0, 2), (33, 1), (1023, 2)] {
                XCTAssertEqual(train.pixels[(image * 1024 + pixel) * 3 + channel],
                               Fixtures.cifarPixel(seed: 1, record: 1, channel: channel, pixel: pixel))
            }
            let test = try CIFAR10.load(directory: root, split: .test)
            XCTAssertEqual(test.labels, labels["test_batch.bin"])
            XCTAssertEqual(try DatasetSpec(parsing: "cifar10:\(root.path)").load(split: .test).pixels, test.pixels)
            temporary = try TemporaryDirectory(prefix: "ttur-cifar")
        }
    }

    func testMissingBatchNamesTheFile() throws {
        let (root, _) = try writeRelease(nested: false)
        try FileManager.default.removeItem(at: root.appendingPathComponent("data_batch_4.bin"))
        XCTAssertThrowsError(try CIFAR10.load(directory: root, split: .train)) { error in
            XCTAssertTrue("\(error)".contains("data_batch_4.bin: no such file"), "\(error)")
        }
    }

    func testPartialRecordIsASizeMismatch() throws {
        let (root, _) = try writeRelease(nested: false)
        let url = root.appendingPathComponent("test_batch.bin")
        try Data(contentsOf: url).dropLast(5).write(to: url)
        XCTAssertThrowsError(try CIFAR10.load(directory: root, split: .test)) { error in
            XCTAssertTrue("\(error)".contains("test_batch.bin: size mismatch"), "\(error)")
        }
        try Data().write(to: url)
        XCTAssertThrowsError(try CIFAR10.load(directory: root, split: .test)) { error in
            XCTAssertTrue("\(error)".contains("test_batch.bin: size mismatch: 0 bytes"), "\(error)")
        }
    }

    func testLabelOutsideTheTenClasses() throws {
        let (root, _) = try writeRelease(nested: false)
        let url = root.appendingPathComponent("test_batch.bin")
        try Fixtures.cifarBatch(labels: [3, 12], seed: 0).write(to: url)
        XCTAssertThrowsError(try CIFAR10.load(directory: root, split: .test)) { error in
            XCTAssertTrue("\(error)".contains("test_batch.bin: byte 3073: label 12 of record 1"), "\(error)")
        }
    }
}
