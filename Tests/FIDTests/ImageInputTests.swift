@testable import FID
import Foundation
import ImageData
import XCTest
import _TestSupport

final class ImageInputTests: XCTestCase {
    /// Directories made by this test, removed when it ends.
    private var temporaries: [TemporaryDirectory] = []

    private func temporaryDirectory() throws -> URL {
        let directory = try TemporaryDirectory(prefix: "ttur-fid-images")
        temporaries.append(directory)
        return directory.url
    }

    override func tearDown() {
        temporaries = []
        super.tearDown()
    }

    func testPNGRoundTripIsExact() throws {
        let image = try NumpyImages(try SharedData.require("fixtures/fid/images.npy")).image(at: 2)
        let url = try temporaryDirectory().appendingPathComponent("a.png")
        try image.pngData().write(to: url)
        let back = try RGBImage(contentsOf: url)
        XCTAssertEqual(back.width, 64)
        XCTAssertEqual(back.pixels, image.pixels)
    }

    /// An 8×8 4:4:4 JPEG written by PIL 13 (quality 95) and PIL's decoding of it.
    static let jpegBase64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wAARCAAIAAgDAREAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD0r46fFP8A4WR/Zf8AxIvsX2Lz/wDl68zfv8v/AGVxjb79a/IvDvwj/wBSPrX+2+29tyf8u+S3Jz/9PJXvzeVrdbl5n4jf8SWcn+y/2r/at/t/VfZfVbf3MRz8/wBY/ucvJ9rm93//2Q=="
    static let jpegDecodedByPIL: [UInt8] = [128, 242, 40, 132, 241, 38, 129, 243, 34, 130, 240, 31, 241, 81, 115, 243, 78, 112, 240, 81, 109, 246, 79, 107, 133, 240, 36, 132, 239, 37, 131, 244, 32, 133, 242, 37, 241, 77, 102, 243, 75, 108, 240, 81, 103, 241, 79, 102, 130, 244, 35, 127, 241, 31, 129, 240, 39, 136, 241, 35, 235, 80, 111, 244, 81, 108, 245, 79, 115, 242, 77, 111, 131, 240, 33, 131, 243, 37, 137, 242, 36, 131, 239, 29, 240, 80, 114, 236, 77, 107, 241, 77, 104, 242, 79, 110, 211, 104, 146, 212, 103, 135, 205, 103, 142, 214, 105, 146, 6, 191, 133, 14, 193, 138, 7, 193, 143, 8, 191, 134, 212, 101, 143, 215, 105, 144, 213, 105, 137, 208, 104, 139, 9, 190, 135, 6, 190, 138, 3, 191, 132, 7, 193, 132, 209, 105, 142, 209, 106, 136, 211, 102, 144, 212, 102, 137, 6, 194, 144, 6, 195, 137, 8, 189, 144, 8, 192, 140, 215, 103, 141, 210, 105, 136, 212, 101, 143, 214, 105, 144, 5, 190, 132, 8, 193, 135, 8, 190, 139, 4, 191, 136]

    func testJPEGDecodesLikePIL() throws {
        let url = try temporaryDirectory().appendingPathComponent("a.jpg")
        try XCTUnwrap(Data(base64Encoded: Self.jpegBase64)).write(to: url)
        let image = try RGBImage(contentsOf: url)
        XCTAssertEqual(image.width, 8)
        XCTAssertEqual(image.height, 8)
        // libjpeg-turbo's integer IDCT is the same in both; ±1 leaves room for library versions.
        for (ours, theirs) in zip(image.pixels, Self.jpegDecodedByPIL) {
            XCTAssertLessThanOrEqual(abs(Int(ours) - Int(theirs)), 1)
        }
    }

    func testCorruptImagesAreErrorsNamingTheFile() throws {
        let directory = try temporaryDirectory()
        let jpeg = try XCTUnwrap(Data(base64Encoded: Self.jpegBase64))
        let png = try NumpyImages(try SharedData.require("fixtures/fid/images.npy")).image(at: 0).pngData()
        for (name, bytes) in [("cut.jpg", jpeg.prefix(300)), ("cut.png", png.prefix(200)), ("junk.png", Data("hello".utf8)),
                              ("header.jpg", Data([0xFF, 0xD8, 0xFF]))] {
            let url = directory.appendingPathComponent(name)
            try bytes.write(to: url)
            XCTAssertThrowsError(try RGBImage(contentsOf: url), name) { error in
                XCTAssertTrue("\(error)".contains(name), "\(error)")
            }
        }
    }

    func testFolderStatisticsDoNotDependOnFileOrderOrBatchSize() throws {
        let fixture = try NumpyImages(try SharedData.require("fixtures/fid/images.npy"))
        let images = try InceptionParityTests.fiftyImages().prefix(12) + (0..<6).map { try fixture.image(at: $0) }
        let forward = try temporaryDirectory(), backward = try temporaryDirectory()
        for (index, image) in images.enumerated() {
            let data = try image.pngData()
            try data.write(to: forward.appendingPathComponent(String(format: "img%03d.png", index)))
            try data.write(to: backward.appendingPathComponent(String(format: "img%03d.png", images.count - 1 - index)))
        }
        let folderA = try ImageFolder(forward), folderB = try ImageFolder(backward)
        XCTAssertEqual(folderA.count, 18)
        let network = try InceptionParityTests.network()
        // 64 features (block 0) keep the test quick; every block goes through the same path.
        let a = try FeatureExtractor(network: network, dimensions: 64, batchSize: 5).statistics(of: folderA)
        let b = try FeatureExtractor(network: network, dimensions: 64, batchSize: 7).statistics(of: folderB)
        XCTAssertEqual(a.sampleCount, 18)
        for (x, y) in zip(a.mean + a.covariance, b.mean + b.covariance) {
            XCTAssertEqual(x, y, accuracy: 1e-10 * max(1, abs(y)))
        }
        XCTAssertEqual(a.provenance["preprocessing"], Preprocessing.description(.pytorchFID))
    }

    func testFolderWithoutImagesIsAnError() throws {
        let directory = try temporaryDirectory()
        try Data("x".utf8).write(to: directory.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try ImageFolder(directory)) { error in
            XCTAssertTrue("\(error)".contains("no .png, .jpg or .jpeg"), "\(error)")
        }
    }
}
