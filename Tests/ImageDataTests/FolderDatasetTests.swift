import Foundation
@testable import ImageData
import XCTest
import _TestSupport

final class FolderDatasetTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "ttur-folder") }
    override func tearDown() { temporary = nil }

    private func solid(_ width: Int, _ height: Int, _ color: [UInt8]) -> RGBImage {
        RGBImage(width: width, height: height, pixels: (0 ..< width * height).flatMap { _ in color })
    }

    private func writePNG(_ image: RGBImage, _ path: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try image.pngData().write(to: url)
    }

    func testRecursiveSortedResizedAndCropped() throws {
        try writePNG(solid(8, 8, [10, 20, 30]), "b/one.png")
        try writePNG(solid(16, 4, [200, 100, 0]), "a.png")
        try writePNG(solid(3, 6, [1, 2, 3]), "b/c/deep.PNG")
        try Data(base64Encoded: JPEGFixture.base64)!.write(to: directory.appendingPathComponent("b/z.jpg"))
        try Data("notes".utf8).write(to: directory.appendingPathComponent("b/notes.txt"))
        try writePNG(solid(4, 4, [9, 9, 9]), ".hidden/skip.png")
        let folder = try ImageFolder(directory, recursive: true)
        XCTAssertEqual(folder.files.map { $0.path.replacingOccurrences(of: directory.path + "/", with: "") },
                       ["a.png", "b/c/deep.PNG", "b/one.png", "b/z.jpg"])
        let data = try ImageFolder.loadDataset(directory, size: 4)
        XCTAssertEqual([data.count, data.height, data.width, data.channels], [4, 4, 4, 3])
        XCTAssertNil(data.labels)
        // Solid colours stay exactly solid through both area averaging (16×4 → 16×4 crop
        // of a 4-row image, 8×8 → 4×4) and bilinear enlarging (3×6 → 4×8).
        XCTAssertEqual(Array(data.pixels[0..<48]), (0..<16).flatMap { _ in [UInt8](arrayLiteral: 200, 100, 0) })
        XCTAssertEqual(Array(data.pixels[48..<96]), (0..<16).flatMap { _ in [UInt8](arrayLiteral: 1, 2, 3) })
        XCTAssertEqual(Array(data.pixels[96..<144]), (0..<16).flatMap { _ in [UInt8](arrayLiteral: 10, 20, 30) })
        // The non-recursive folder (FID's) sees only a.png.
        XCTAssertEqual(try ImageFolder(directory).count, 1)
    }

    func testAreaAveragingAndCenterCrop() {
        // A 4×2 image whose columns are grey 0, 100, 200, 40.
        let pixels: [UInt8] = (0..<2).flatMap { _ in [UInt8](arrayLiteral: 0, 100, 200, 40).flatMap { [$0, $0, $0] } }
        let image = RGBImage(width: 4, height: 2, pixels: pixels)
        // Size 2: the shorter side is already 2; the center crop keeps columns 1 and 2.
        XCTAssertEqual(Resize.squareCrop(image, size: 2), [100, 100, 100, 200, 200, 200, 100, 100, 100, 200, 200, 200])
        // Size 1: halved by averaging 2×2 blocks to 50 | 120, then column 0 of 2 is the crop.
        XCTAssertEqual(Resize.squareCrop(image, size: 1), [50, 50, 50])
        // Size 3 of 4×2: 6×3 by bilinear, then columns 1…3 of 6.
        XCTAssertEqual(Resize.squareCrop(image, size: 3).count, 27)
    }

    func testBilinearEnlargingInterpolatesBetweenCenters() {
        // 1×2 grey 0 | 100 enlarged to 2×4: centres at 0.25, 0.75 of each input pixel.
        let image = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 100, 100, 100])
        let row = Resize.squareCrop(image, size: 2)  // 1 → 2 rows, 2 → 4 columns, crop columns 1, 2
        XCTAssertEqual(row, [25, 25, 25, 75, 75, 75, 25, 25, 25, 75, 75, 75])
    }

    func testEmptyFolderMissingFolderAndUndecodableImage() throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try ImageFolder.loadDataset(directory, size: 8)) { error in
            XCTAssertTrue("\(error)".contains("no .png, .jpg or .jpeg images in the folder or its subfolders"), "\(error)")
        }
        XCTAssertThrowsError(try ImageFolder.loadDataset(directory.appendingPathComponent("absent"), size: 8)) { error in
            XCTAssertTrue("\(error)".contains("absent: no such folder"), "\(error)")
        }
        try Data("not an image".utf8).write(to: directory.appendingPathComponent("sub/broken.png"))
        XCTAssertThrowsError(try ImageFolder.loadDataset(directory, size: 8)) { error in
            XCTAssertTrue("\(error)".contains("sub/broken.png: not a PNG or JPEG image"), "\(error)")
        }
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]).write(to: directory.appendingPathComponent("sub/broken.png"))
        XCTAssertThrowsError(try ImageFolder.loadDataset(directory, size: 8)) { error in
            XCTAssertTrue("\(error)".contains("sub/broken.png: corrupt PNG"), "\(error)")
        }
    }
}

/// An 8×8 JPEG written by PIL (the FID tests' fixture).
enum JPEGFixture {
    static let base64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wAARCAAIAAgDAREAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD0r46fFP8A4WR/Zf8AxIvsX2Lz/wDl68zfv8v/AGVxjb79a/IvDvwj/wBSPrX+2+29tyf8u+S3Jz/9PJXvzeVrdbl5n4jf8SWcn+y/2r/at/t/VfZfVbf3MRz8/wBY/ucvJ9rm93//2Q=="
}
