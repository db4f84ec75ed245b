@testable import FID
import Foundation
import ImageData
import Tensors
import XCTest
import _TestSupport

/// clean-fid's "clean" resize against the clean-fid package on real images
/// (`Tests/Fixtures/cleanfid/`, `scripts/cleanfid_reference.py`): Fashion-MNIST test images,
/// the shared fixture's images and a PNG decoded from the same bytes, each as Inception's
/// input (the resized value /255 · 2 − 1) at 2,000 stored positions.
final class CleanResizeTests: XCTestCase {
    private static let fixtures = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/cleanfid")

    func testMatchesCleanFIDsResizeOnRealImages() throws {
        let fashion = try IDX.readImages(URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
        var images: [RGBImage] = (0..<3).map { index in
            let grey = fashion.pixels[(index * 28 * 28)..<((index + 1) * 28 * 28)]
            return RGBImage(width: 28, height: 28, pixels: grey.flatMap { [$0, $0, $0] })
        }
        let shared = try NumpyImages(try SharedData.require("fixtures/fid/images.npy"))
        images += try (0..<2).map { try shared.image(at: $0) }
        images.append(try RGBImage(contentsOf: Self.fixtures.appendingPathComponent("drawn.png")))

        let arrays = try NumpyArchive.read(Self.fixtures.appendingPathComponent("expected.npz"))
        let positions = try XCTUnwrap(arrays["positions"]).entry().integers().map(Int.init)
        let values = try XCTUnwrap(arrays["values"]).entry().floats()
        XCTAssertEqual(values.count, images.count * positions.count)
        let input = FeatureMap(batch: images.count, height: 299, width: 299, channels: 3)
        for (index, image) in images.enumerated() {
            image.pixels.withUnsafeBufferPointer {
                Preprocessing.resizeAndNormalise($0.baseAddress!, height: image.height, width: image.width, into: input, at: index, resize: .clean)
            }
        }
        var largest: Float = 0
        for index in images.indices {
            for (k, position) in positions.enumerated() {
                let expected = values[index * positions.count + k] / 255 * 2 - 1
                let ours = input.pointer[index * 299 * 299 * 3 + position]
                largest = max(largest, abs(ours - expected))
                XCTAssertEqual(ours, expected, accuracy: 2e-6, "image \(index), position \(position)")
            }
        }
        print("largest difference from clean-fid's resize (in Inception's input units): \(largest)")
    }

    /// `--resize clean` statistics say so, and are never compared with pytorch-fid-resized ones.
    func testTheCommandLineKeepsResizesApart() throws {
        let images = try SharedData.require("fixtures/fid/images.npy").path
        let network = ["--weights", try SharedData.require("fixtures/fid/inception_random.pth").path, "--dims", "64"]
        let work = try TemporaryDirectory(prefix: "ttur-clean-resize")
        let clean = work.url.appendingPathComponent("clean.npz"), plain = work.url.appendingPathComponent("plain.npz")
        XCTAssertEqual(try TTURTextExecutable.run(["fid", "stats", images, "--resize", "clean", "--out", clean.path] + network).status, 0)
        XCTAssertEqual(try TTURTextExecutable.run(["fid", "stats", images, "--out", plain.path] + network).status, 0)
        XCTAssertEqual(try FeatureStatistics(contentsOf: clean).provenance["preprocessing"], Preprocessing.description(.clean))
        let same = try TTURTextExecutable.run(["fid", images, clean.path, "--resize", "clean"] + network)
        XCTAssertEqual(same.status, 0, same.standardError)
        let mixed = try TTURTextExecutable.run(["fid", clean.path, plain.path])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertTrue(mixed.standardError.contains("statistics of different preprocessings cannot be compared"), mixed.standardError)
        let refused = try TTURTextExecutable.run(["fid", images, images, "--resize", "clean", "--features", "dinov2-vitl14", "--weights", "x"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains("--resize clean is Inception's"), refused.standardError)
    }
}
