import Basics
import Foundation
@testable import ImageData
import XCTest
import _TestSupport

final class IDXTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "ttur-idx") }
    override func tearDown() { temporary = nil }

    private func write(_ data: Data, _ name: String, gzip: Bool = false) throws -> URL {
        let url = directory.appendingPathComponent(name)
        if gzip { try Fixtures.writeGzip(data, to: url) } else { try data.write(to: url) }
        return url
    }

    func testPlainAndGzipRoundTripsAreExact() throws {
        let pixels = Fixtures.images(count: 5, height: 3, width: 4)
        let labels: [UInt8] = [9, 0, 3, 3, 7]
        for gzip in [false, true] {
            let images = try write(Fixtures.idx(magic: IDX.imagesMagic, dims: [5, 3, 4], bytes: pixels), "images\(gzip)", gzip: gzip)
            let labelFile = try write(Fixtures.idx(magic: IDX.labelsMagic, dims: [5], bytes: labels), "labels\(gzip)", gzip: gzip)
            let data = try IDX.load(images: images, labels: labelFile, name: "tiny")
            XCTAssertEqual(data.count, 5)
            XCTAssertEqual(data.height, 3)
            XCTAssertEqual(data.width, 4)
            XCTAssertEqual(data.channels, 1)
            XCTAssertEqual(data.pixels, pixels)
            XCTAssertEqual(data.labels, labels)
            XCTAssertEqual(data.classCount, 10)
            XCTAssertEqual(data.name, "tiny")
            let unlabelled = try IDX.load(images: images)
            XCTAssertNil(unlabelled.labels)
            XCTAssertEqual(unlabelled.classCount, 0)
        }
    }

    func testGzipLargerThanOneChunkAndConcatenatedMembers() throws {
        // 300 KB of pixels spans several 64 KiB inflate chunks.
        let pixels = Fixtures.images(count: 300, height: 32, width: 32)
        let whole = Fixtures.idx(magic: IDX.imagesMagic, dims: [300, 32, 32], bytes: pixels)
        let url = try write(whole, "big.gz", gzip: true)
        XCTAssertEqual(try IDX.readImages(url).pixels, pixels)
        // `gzip -c a b > c`: two members read as one stream, as gunzip does.
        let first = try write(whole.prefix(1000), "a.gz", gzip: true), second = try write(whole.dropFirst(1000), "b.gz", gzip: true)
        let joined = directory.appendingPathComponent("joined.gz")
        try (Data(contentsOf: first) + Data(contentsOf: second)).write(to: joined)
        XCTAssertEqual(try IDX.readImages(joined).pixels, pixels)
    }

    func testGzipWrittenByTheGzipTool() throws {
        let gzip = ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let gzip else { throw XCTSkip("no gzip executable") }
        let pixels = Fixtures.images(count: 2, height: 28, width: 28)
        let url = try write(Fixtures.idx(magic: IDX.imagesMagic, dims: [2, 28, 28], bytes: pixels), "t10k-images-idx3-ubyte")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gzip)
        process.arguments = ["-9", url.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(try IDX.readImages(url.appendingPathExtension("gz")).pixels, pixels)
    }

    func testMissingFile() {
        assertLocatedError(try IDX.readImages(directory.appendingPathComponent("absent.gz")), mentions: ["absent.gz", "no such file"])
    }

    func testBadMagic() throws {
        let labels = try write(Fixtures.idx(magic: IDX.labelsMagic, dims: [2], bytes: [1, 2]), "labels")
        assertLocatedError(try IDX.readImages(labels), mentions: ["labels", "bad magic 0x00000801", "0x00000803"])
        let gz = try write(Fixtures.idx(magic: 0x0000_0D03, dims: [1, 1, 1], bytes: [0, 0, 0, 0]), "floats.gz", gzip: true)
        assertLocatedError(try IDX.readImages(gz), mentions: ["floats.gz", "bad magic"])
        let empty = try write(Data(), "empty")
        assertLocatedError(try IDX.readImages(empty), mentions: ["empty", "truncated"])
    }

    func testTruncatedPlainAndGzip() throws {
        let whole = Fixtures.idx(magic: IDX.imagesMagic, dims: [4, 5, 5], bytes: Fixtures.images(count: 4, height: 5, width: 5))
        let cut = try write(whole.prefix(whole.count - 3), "cut")
        assertLocatedError(try IDX.readImages(cut), mentions: ["cut", "truncated", "4×5×5 = 100 bytes", "has 97"])
        let header = try write(whole.prefix(10), "header")
        assertLocatedError(try IDX.readImages(header), mentions: ["header", "truncated"])
        // A complete gzip stream of too few bytes: the decompressed data ends early.
        let short = try write(whole.prefix(whole.count - 3), "short.gz", gzip: true)
        assertLocatedError(try IDX.readImages(short), mentions: ["short.gz", "truncated", "holds 97"])
        // A gzip file cut inside the compressed stream.
        let gz = try Data(contentsOf: write(whole, "whole.gz", gzip: true))
        let cutGzip = try write(gz.prefix(gz.count - 12), "cut.gz")
        assertLocatedError(try IDX.readImages(cutGzip), mentions: ["cut.gz", "truncated gzip"])
    }

    func testLongerThanTheHeaderSays() throws {
        let whole = Fixtures.idx(magic: IDX.imagesMagic, dims: [2, 2, 2], bytes: [1, 2, 3, 4, 5, 6, 7, 8])
        let plain = try write(whole + [0], "long")
        assertLocatedError(try IDX.readImages(plain), mentions: ["long", "size mismatch", "2×2×2 = 8 bytes", "has 9"])
        let gz = try write(whole + [0], "long.gz", gzip: true)
        assertLocatedError(try IDX.readImages(gz), mentions: ["long.gz", "size mismatch"])
    }

    func testHugeHeaderSizesAreRejectedBeforeAllocating() throws {
        // 4 billion × 4 billion × 4 billion overflows; 65535³ does not but the file is tiny.
        let overflow = try write(Fixtures.idx(magic: IDX.imagesMagic, dims: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], bytes: [1]), "overflow")
        assertLocatedError(try IDX.readImages(overflow), mentions: ["overflow", "overflow"])
        let huge = try write(Fixtures.idx(magic: IDX.imagesMagic, dims: [65535, 65535, 65535], bytes: [1, 2]), "huge.gz", gzip: true)
        assertLocatedError(try IDX.readImages(huge), mentions: ["huge.gz", "65535 images of 4294836225 bytes (256.0 TiB) exceed"])
        let zero = try write(Fixtures.idx(magic: IDX.imagesMagic, dims: [0, 28, 28], bytes: []), "zero")
        assertLocatedError(try IDX.readImages(zero), mentions: ["zero", "include zero"])
    }

    func testCorruptGzip() throws {
        let whole = Fixtures.idx(magic: IDX.imagesMagic, dims: [4, 5, 5], bytes: Fixtures.images(count: 4, height: 5, width: 5))
        var gz = [UInt8](try Data(contentsOf: write(whole, "good.gz", gzip: true)))
        gz[gz.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        let badCRC = try write(Data(gz), "crc.gz")
        assertLocatedError(try IDX.readImages(badCRC), mentions: ["crc.gz", "corrupt gzip", "incorrect data check"])
        let garbage = try write(Data([0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0xFF, count: 40)), "garbage.gz")
        assertLocatedError(try IDX.readImages(garbage), mentions: ["garbage.gz", "corrupt gzip data: invalid block type"])
        let trailing = try write(Data(try Data(contentsOf: directory.appendingPathComponent("good.gz")) + [1, 2, 3]), "trailing.gz")
        assertLocatedError(try IDX.readImages(trailing), mentions: ["trailing.gz", "corrupt gzip"])
    }

    func testLabelsMustMatchTheImages() throws {
        let images = try write(Fixtures.idx(magic: IDX.imagesMagic, dims: [3, 2, 2], bytes: [UInt8](repeating: 1, count: 12)), "images")
        let two = try write(Fixtures.idx(magic: IDX.labelsMagic, dims: [2], bytes: [1, 2]), "two-labels")
        assertLocatedError(try IDX.load(images: images, labels: two), mentions: ["two-labels", "2 labels for 3 images"])
        let big = try write(Fixtures.idx(magic: IDX.labelsMagic, dims: [3], bytes: [1, 10, 2]), "big-labels")
        assertLocatedError(try IDX.load(images: images, labels: big), mentions: ["big-labels", "label 10 of image 1", "class count 10"])
        XCTAssertEqual(try IDX.load(images: images, labels: big, classCount: 11).labels, [1, 10, 2])
        assertLocatedError(try IDX.load(images: images, labels: images), mentions: ["images", "bad magic"])
    }
}
