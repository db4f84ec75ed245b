@testable import FID
import Foundation
import XCTest
import _TestSupport

/// The vision transformer against timm on `Tests/Fixtures/vit/` (`scripts/vit_reference.py`):
/// a small ViT of DINOv2's form with every parameter random, and DINOv2's bicubic resize of
/// position embeddings against torch's `interpolate`.
final class VisionTransformerTests: XCTestCase {
    private static let fixtures = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/vit")

    private struct Expected: Decodable {
        let heads: Int
        let images: [Float], features: [[Float]]
        let positions: [Float], resized: [Float]
    }

    private func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json")))
    }

    /// Features within 1e-4 of each value's scale (the bound; float32 sums in another order).
    func testFeaturesMatchTimm() throws {
        let reference = try expected()
        let vit = try VisionTransformer(weights: Self.fixtures.appendingPathComponent("small.safetensors"), heads: reference.heads)
        XCTAssertEqual(vit.width, 32)
        XCTAssertEqual(vit.patch, 14)
        let size = 28, plane = 3 * size * size
        var largest: Float = 0
        for (index, target) in reference.features.enumerated() {
            let ours = vit.features(Array(reference.images[(index * plane)..<((index + 1) * plane)]), size: size)
            XCTAssertEqual(ours.count, target.count)
            let scale = max(target.map(abs).max() ?? 1, 1)
            for (a, b) in zip(ours, target) {
                largest = max(largest, abs(a - b) / scale)
                XCTAssertEqual(a, b, accuracy: 1e-4 * scale, "image \(index)")
            }
        }
        print("largest relative difference from timm: \(largest) (tolerance 1e-4)")
    }

    func testPositionEmbeddingsResizeAsDINOv2Does() throws {
        let reference = try expected()
        let resized = Bicubic.resize(reference.positions, channelsLast: 8, from: 5, to: 3, scale: (3 + 0.1) / 5)
        XCTAssertEqual(resized.count, reference.resized.count)
        for (a, b) in zip(resized, reference.resized) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }
}

/// FD-DINOv2's whole pipeline (Pillow's resize to 224, ImageNet normalisation, the ViT with
/// DINOv2's position-embedding resize) on the shared fixture images against the reference
/// script's, and the command line: statistics that name their network, never mixed.
final class DINOv2PipelineTests: XCTestCase {
    private static let fixtures = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/vit")

    func testFeaturesOfTheFixtureImagesMatchTheReferencePipeline() throws {
        struct Pipeline: Decodable { let features: [[Float]] }
        let reference = try JSONDecoder().decode(Pipeline.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("pipeline.json")))
        let images = try NumpyImages(try SharedData.require("fixtures/fid/images.npy"))
        let extractor = try DINOv2FeatureExtractor(weights: Self.fixtures.appendingPathComponent("pipeline.safetensors"))
        let (statistics, features) = try extractor.measure(images, keepingFeatures: true)
        let ours = try XCTUnwrap(features)
        XCTAssertEqual(ours.count, reference.features.count)
        for (index, target) in reference.features.enumerated() {
            let scale = max(target.map(abs).max() ?? 1, 1)
            for (j, value) in target.enumerated() {
                XCTAssertEqual(ours.values[index * ours.dimensions + j], value, accuracy: 1e-4 * scale, "image \(index), feature \(j)")
            }
        }
        XCTAssertEqual(statistics.provenance["network"], "DINOv2 ViT/14, 128 features (class token after the final norm)")
    }

    func testTheCommandLineKeepsNetworksApart() throws {
        let images = try SharedData.require("fixtures/fid/images.npy").path
        let work = try TemporaryDirectory(prefix: "ttur-fd-dinov2")
        let dinov2 = work.url.appendingPathComponent("dinov2.npz"), inception = work.url.appendingPathComponent("inception.npz")
        let weights = Self.fixtures.appendingPathComponent("pipeline.safetensors").path
        let made = try TTURTextExecutable.run(["fid", "stats", images, "--features", "dinov2-vitl14", "--weights", weights, "--out", dinov2.path])
        XCTAssertEqual(made.status, 0, made.standardError)
        XCTAssertEqual(try FeatureStatistics(contentsOf: dinov2).dimensions, 128)
        let same = try TTURTextExecutable.run(["fid", images, dinov2.path, "--features", "dinov2-vitl14", "--weights", weights])
        XCTAssertEqual(same.status, 0, same.standardError)
        XCTAssertTrue(same.standardOutput.hasPrefix("FID: "), same.standardOutput)
        XCTAssertLessThan(abs(Double(same.standardOutput.split(separator: "\n")[0].dropFirst(5)) ?? 1), 1e-6, same.standardOutput)

        let network = ["--weights", try SharedData.require("fixtures/fid/inception_random.pth").path, "--dims", "64"]
        XCTAssertEqual(try TTURTextExecutable.run(["fid", "stats", images, "--out", inception.path] + network).status, 0)
        let mixed = try TTURTextExecutable.run(["fid", dinov2.path, inception.path])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertEqual(mixed.standardError.split(separator: "\n").count, 1, mixed.standardError)
        XCTAssertTrue(mixed.standardError.contains("statistics of different networks cannot be compared"), mixed.standardError)
        let missing = try TTURTextExecutable.run(["fid", images, dinov2.path, "--features", "dinov2-vitl14"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.standardError.contains("--features dinov2-vitl14 needs --weights"), missing.standardError)
    }
}
