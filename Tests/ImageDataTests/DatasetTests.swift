import Foundation
@testable import ImageData
import XCTest
import _TestSupport

final class DatasetTests: XCTestCase {
    private func tiny(height: Int, width: Int, channels: Int, count: Int = 2) throws -> ImageDataset {
        let pixels = (0 ..< count * height * width * channels).map { UInt8(truncatingIfNeeded: 10 + $0 * 3) }
        return try ImageDataset(name: "tiny", count: count, height: height, width: width, channels: channels, pixels: pixels)
    }

    func testBatchScalesToMinusOneOneAndPadsSymmetrically() throws {
        let data = try tiny(height: 28, width: 28, channels: 1)
        let batch = data.batch(indices: [1, 0, 1], size: 32)
        XCTAssertEqual(batch.count, 3 * 32 * 32)
        for slot in 0..<3 {
            let image = [1, 0, 1][slot]
            for row in 0..<32 {
                for column in 0..<32 {
                    let value = batch[slot * 1024 + row * 32 + column]
                    if (2..<30).contains(row) && (2..<30).contains(column) {
                        let byte = data.pixels[image * 784 + (row - 2) * 28 + column - 2]
                        XCTAssertEqual(value, Float(byte) / 127.5 - 1, accuracy: 1e-6)
                    } else {
                        XCTAssertEqual(value, -1, "padding at \(row), \(column)")
                    }
                }
            }
        }
        let white = try ImageDataset(name: "w", count: 1, height: 1, width: 1, channels: 3, pixels: [255, 0, 128])
        let values = white.batch(indices: [0], size: 1)
        XCTAssertEqual(values[0], 1)
        XCTAssertEqual(values[1], -1)
        XCTAssertEqual(values[2], 128 / 127.5 - 1, accuracy: 1e-7)
    }

    func testBatchOddPaddingAndCropping() throws {
        let data = try tiny(height: 2, width: 3, channels: 3, count: 1)
        // 2×3 into 5×5: 1 row above, 2 below; 1 column left, 1 right.
        let padded = data.batch(indices: [0], size: 5)
        let pixel = { (row: Int, column: Int, channel: Int) in padded[(row * 5 + column) * 3 + channel] }
        XCTAssertEqual(pixel(0, 2, 0), -1)
        XCTAssertEqual(pixel(1, 1, 0), Float(data.pixels[0]) / 127.5 - 1, accuracy: 1e-6)
        XCTAssertEqual(pixel(2, 3, 2), Float(data.pixels[17]) / 127.5 - 1, accuracy: 1e-6)
        XCTAssertEqual(pixel(3, 1, 0), -1)
        XCTAssertEqual(pixel(1, 4, 0), -1)
        // 2×3 into 1×1: the center (row 0, column 1; an odd excess is cut at the bottom/right).
        let cropped = data.batch(indices: [0], size: 1)
        XCTAssertEqual(cropped, (3..<6).map { Float(data.pixels[$0]) / 127.5 - 1 })
    }

    func testFloatsBackToPixelsInvertTheBatch() throws {
        let data = try tiny(height: 4, width: 4, channels: 3)
        XCTAssertEqual(pixelsFromFloats(data.batch(indices: [0, 1], size: 4)), data.pixels)
        XCTAssertEqual(pixelsFromFloats([-1, 1, 0, -7, 7, .nan, .infinity, -.infinity]), [0, 255, 128, 0, 255, 0, 255, 0])
    }

    func testImageCollectionReplicatesGrey() throws {
        let data = try tiny(height: 2, width: 2, channels: 1)
        let image = try data.image(at: 1)
        XCTAssertEqual(image.pixels, data.pixels[4..<8].flatMap { [$0, $0, $0] })
        XCTAssertEqual(try tiny(height: 2, width: 2, channels: 3).image(at: 1).pixels.count, 12)
    }

    func testInconsistentDatasetIsAnError() {
        XCTAssertThrowsError(try ImageDataset(name: "x", count: 2, height: 2, width: 2, channels: 1, pixels: [1, 2, 3]))
        XCTAssertThrowsError(try ImageDataset(name: "x", count: 1, height: 1, width: 1, channels: 2, pixels: [1, 2]))
        XCTAssertThrowsError(try ImageDataset(name: "x", count: 1, height: 1, width: 1, channels: 1, pixels: [1],
                                              labels: [3], classCount: 3))
    }

    func testGridLayoutBorderAndAtomicWrite() throws {
        // 5 grey 2×3 images: 3 columns, 2 rows; (3 + 2) × 3 + 2 wide, (2 + 2) × 2 + 2 high.
        let images = (0..<5).flatMap { image in [Float](repeating: Float(image) / 2 - 1, count: 6) }
        let grid = ImageGrid(images: images, count: 5, height: 2, width: 3, channels: 1)
        XCTAssertEqual([grid.width, grid.height, grid.channels], [17, 10, 1])
        let at = { (x: Int, y: Int) in grid.pixels[y * grid.width + x] }
        XCTAssertEqual(at(0, 0), 0)
        XCTAssertEqual(at(2, 2), 0)        // image 0 is -1: black
        XCTAssertEqual(at(7, 3), 64)       // image 1 (-0.5) at x 7…9, y 2…3
        XCTAssertEqual(at(12, 2), 128)     // image 2 (0)
        XCTAssertEqual(at(2, 6), 191)      // image 3 (0.5) on the second row
        XCTAssertEqual(at(7, 7), 255)      // image 4 (1)
        XCTAssertEqual(at(12, 6), 0)       // no sixth image: background
        XCTAssertEqual(at(5, 2), 0)        // border between columns
        let white = ImageGrid(images: [Float](repeating: 1, count: 4 * 3), count: 4, height: 1, width: 1, channels: 3,
                              background: 200)
        XCTAssertEqual([white.width, white.height], [8, 8])
        XCTAssertEqual(Array(white.pixels[0..<3]), [200, 200, 200])
        XCTAssertEqual(Array(white.pixels[(2 * 8 + 2) * 3 ..< (2 * 8 + 2) * 3 + 3]), [255, 255, 255])

        let folder = try TemporaryDirectory(prefix: "ttur-grid")
        let url = folder.url.appendingPathComponent("grid.png")
        try Data("old".utf8).write(to: url)
        try white.write(to: url)
        let back = try RGBImage(contentsOf: url)
        XCTAssertEqual([back.width, back.height], [8, 8])
        XCTAssertEqual(back.pixels, white.pixels)
        try grid.write(to: url)
        XCTAssertEqual(try RGBImage(contentsOf: url).pixels, grid.pixels.flatMap { [$0, $0, $0] })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path), ["grid.png"], "no temporary left")
        XCTAssertThrowsError(try grid.write(to: folder.url.appendingPathComponent("absent/grid.png"))) { error in
            XCTAssertTrue("\(error)".contains("absent/grid.png: cannot write"), "\(error)")
        }
    }

    func testSpecParsing() throws {
        XCTAssertEqual(try DatasetSpec(parsing: "fashion-mnist"), .default)
        XCTAssertEqual(try DatasetSpec(parsing: "fashion-mnist:/d"), .fashionMNIST(directory: "/d"))
        XCTAssertEqual(try DatasetSpec(parsing: "idx:/a.gz"), .idx(images: "/a.gz", labels: nil))
        XCTAssertEqual(try DatasetSpec(parsing: "idx:/a.gz,/b.gz"), .idx(images: "/a.gz", labels: "/b.gz"))
        XCTAssertEqual(try DatasetSpec(parsing: "cifar10:c:/x"), .cifar10(directory: "c:/x"))
        XCTAssertEqual(try DatasetSpec(parsing: "folder:imgs"), .folder(directory: "imgs"))
        for text in ["fashion-mnist", "fashion-mnist:/d", "idx:/a.gz", "idx:/a.gz,/b.gz", "cifar10:/c", "folder:imgs"] {
            XCTAssertEqual(try DatasetSpec(parsing: text).description, text)
        }
        XCTAssertThrowsError(try DatasetSpec(parsing: "mnist:/x")) { error in
            XCTAssertEqual("\(error)", "unknown dataset kind 'mnist' in 'mnist:/x': expected \(DatasetSpec.syntax)")
        }
        XCTAssertThrowsError(try DatasetSpec(parsing: "/data/images")) { error in
            XCTAssertTrue("\(error)".hasPrefix("unknown dataset kind '/data/images'"), "\(error)")
        }
        XCTAssertThrowsError(try DatasetSpec(parsing: "cifar10")) { error in
            XCTAssertTrue("\(error)".contains("cifar10 needs DIR"), "\(error)")
        }
        XCTAssertThrowsError(try DatasetSpec(parsing: "idx:")) { error in
            XCTAssertTrue("\(error)".contains("idx needs IMAGES[,LABELS]"), "\(error)")
        }
    }

    func testSpecLoadsIDXAndNamesMissingFashionMNISTFiles() throws {
        let folder = try TemporaryDirectory(prefix: "ttur-spec")
        let images = folder.url.appendingPathComponent("i.gz"), labels = folder.url.appendingPathComponent("l")
        try Fixtures.writeGzip(Fixtures.idx(magic: IDX.imagesMagic, dims: [2, 1, 1], bytes: [5, 6]), to: images)
        try Fixtures.idx(magic: IDX.labelsMagic, dims: [2], bytes: [1, 0]).write(to: labels)
        let data = try DatasetSpec(parsing: "idx:\(images.path),\(labels.path)").load(split: .test)
        XCTAssertEqual(data.pixels, [5, 6])
        XCTAssertEqual(data.labels, [1, 0])
        // Fashion-MNIST from a folder holding unpacked files; the missing labels are named.
        try Fixtures.idx(magic: IDX.imagesMagic, dims: [1, 2, 2], bytes: [1, 2, 3, 4])
            .write(to: folder.url.appendingPathComponent("t10k-images-idx3-ubyte"))
        XCTAssertThrowsError(try DatasetSpec(parsing: "fashion-mnist:\(folder.url.path)").load(split: .test)) { error in
            XCTAssertTrue("\(error)".contains("t10k-labels-idx1-ubyte.gz: no such file"), "\(error)")
        }
        try Fixtures.idx(magic: IDX.labelsMagic, dims: [1], bytes: [9]).write(to: folder.url.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let test = try DatasetSpec(parsing: "fashion-mnist:\(folder.url.path)").load(split: .test)
        XCTAssertEqual(test.classNames?[Int(test.labels![0])], "Ankle boot")
    }
}

/// The real Fashion-MNIST, as Debian's `dataset-fashion-mnist` installs it.
final class FashionMNISTTests: XCTestCase {
    private func requireDataset() throws {
        guard FileManager.default.fileExists(atPath: DatasetSpec.debianFashionMNIST) else {
            let message = "\(DatasetSpec.debianFashionMNIST) is missing: install Debian's dataset-fashion-mnist (make deps)"
            try skipOutsideCI(message)
        }
    }

    func testTrainAndTestSplits() throws {
        try requireDataset()
        let train = try DatasetSpec.default.load(split: .train)
        XCTAssertEqual([train.count, train.height, train.width, train.channels], [60000, 28, 28, 1])
        XCTAssertEqual(train.labels?.first, 9)
        XCTAssertEqual(train.classNames?[9], "Ankle boot")
        XCTAssertEqual(train.classCount, 10)
        // Every class has 6,000 training images.
        var perClass = [Int](repeating: 0, count: 10)
        for label in train.labels! { perClass[Int(label)] += 1 }
        XCTAssertEqual(perClass, [Int](repeating: 6000, count: 10))
        let test = try DatasetSpec(parsing: "fashion-mnist").load(split: .test)
        XCTAssertEqual([test.count, test.height, test.width, test.channels], [10000, 28, 28, 1])
        XCTAssertEqual(test.labels?.count, 10000)
    }
}
