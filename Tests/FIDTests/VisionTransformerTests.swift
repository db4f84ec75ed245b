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
