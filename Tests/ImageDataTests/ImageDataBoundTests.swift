import Basics
import Foundation
@testable import ImageData
import XCTest
import _TestSupport

/// What a file claims is checked against the bound on image data before it is read.
final class ImageDataBoundTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "ttur-bound") }
    override func tearDown() { temporary = nil }

    /// A tiny gzip file whose header claims 2³¹ − 1 images of 28×28 (1.5 TiB) and whose stream
    /// inflates to 16 MiB of zeros: refused from the header, before any of the stream is inflated.
    func testGzipBombIsRefusedFromItsHeader() throws {
        let url = directory.appendingPathComponent("bomb-idx3-ubyte.gz")
        let claim = Fixtures.idx(magic: IDX.imagesMagic, dims: [0x7FFF_FFFF, 28, 28], bytes: [])
        try Fixtures.writeGzip(claim + Data(count: 16 << 20), to: url)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        XCTAssertLessThan(size, 64 << 10, "the crafted file is tiny")
        let start = Date()
        assertLocatedError(try IDX.readImages(url), mentions: [url.path, "2147483647 images of 784 bytes (1.5 TiB) exceed the",
                                                        "bound on image data in memory"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "refused without inflating the stream")
        // The same through a dataset spec, and with a count bound.
        assertLocatedError(try DatasetSpec(parsing: "idx:\(url.path)").load(split: .train, bound: ImageDataBound(maxImages: 60_000)),
                    mentions: [url.path, "2147483647 images exceed the bound of 60000 (--max-images)"])
    }

    func testBoundsAreInclusive() throws {
        let images = directory.appendingPathComponent("five-idx3-ubyte.gz")
        let labels = directory.appendingPathComponent("five-labels-idx1-ubyte")
        try Fixtures.writeGzip(Fixtures.idx(magic: IDX.imagesMagic, dims: [5, 3, 4], bytes: Fixtures.images(count: 5, height: 3, width: 4)),
                               to: images)
        try Fixtures.idx(magic: IDX.labelsMagic, dims: [5], bytes: [0, 1, 2, 3, 4]).write(to: labels)
        XCTAssertEqual(try IDX.load(images: images, labels: labels, bound: ImageDataBound(maxImages: 5, maxBytes: 60)).count, 5)
        assertLocatedError(try IDX.readImages(images, bound: ImageDataBound(maxImages: 4)),
                    mentions: [images.path, "5 images exceed the bound of 4"])
        assertLocatedError(try IDX.readImages(images, bound: ImageDataBound(maxBytes: 59)),
                    mentions: [images.path, "5 images of 12 bytes (60 bytes) exceed the 59 bytes bound"])
        assertLocatedError(try IDX.readLabels(labels, bound: ImageDataBound(maxImages: 4)),
                    mentions: [labels.path, "5 labels exceed the bound of 4"])
    }

    func testCIFARAndFoldersAreBoundedToo() throws {
        let batch = directory.appendingPathComponent("test_batch.bin")
        try Fixtures.cifarBatch(labels: [1, 2, 3], seed: 1).write(to: batch)
        XCTAssertEqual(try CIFAR10.load(files: [batch], name: "three", bound: ImageDataBound(maxImages: 3)).count, 3)
        assertLocatedError(try CIFAR10.load(files: [batch], name: "three", bound: ImageDataBound(maxImages: 2)),
                    mentions: [batch.path, "3 images exceed the bound of 2"])
        assertLocatedError(try CIFAR10.load(files: [batch], name: "three", bound: ImageDataBound(maxBytes: 3 * 3072 - 1)),
                    mentions: [batch.path, "3 images of 3072 bytes (9 KiB) exceed the 9.0 KiB bound"])

        let folder = directory.appendingPathComponent("faces")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["a.png", "b.png"] {
            try RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 9, count: 12)).pngData()
                .write(to: folder.appendingPathComponent(name))
        }
        XCTAssertEqual(try ImageFolder.loadDataset(folder, size: 4, bound: ImageDataBound(maxImages: 2)).count, 2)
        assertLocatedError(try ImageFolder.loadDataset(folder, size: 4, bound: ImageDataBound(maxImages: 1)),
                    mentions: [folder.path, "2 images exceed the bound of 1"])
        assertLocatedError(try DatasetSpec(parsing: "folder:\(folder.path)").load(imageSize: 4096, bound: ImageDataBound(maxBytes: 64 << 20)),
                    mentions: [folder.path, "2 images of 50331648 bytes (96 MiB) exceed the 64 MiB bound"])
    }

    func testDefaultIsSixteenGiBAtMost() {
        XCTAssertLessThanOrEqual(ImageDataBound.default.maxBytes, 16 << 30)
        XCTAssertNil(ImageDataBound.default.maxImages)
        XCTAssertEqual(ImageDataBound.describe(16 << 30), "16 GiB")
        XCTAssertEqual(ImageDataBound.describe(1023), "1023 bytes")
    }
}
