@testable import FID
import Foundation
import XCTest
import _TestSupport

/// CLIP's image tower against transformers' CLIPVisionModelWithProjection (random small
/// weights), and CMMD against the paper code's definition, on `Tests/Fixtures/clip/`
/// (`scripts/clip_reference.py`).
final class CLIPImageEncoderTests: XCTestCase {
    private static let fixtures = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/clip")

    private struct Expected: Decodable {
        let images: [Float], embeddings: [[Float]]
        let x: [[Double]], y: [[Double]], cmmd: Double
    }

    private func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json")))
    }

    /// Unit-length embeddings within 1e-4 of transformers'.
    func testEmbeddingsMatchTransformers() throws {
        let reference = try expected()
        let clip = try CLIPImageEncoder(weights: Self.fixtures.appendingPathComponent("small.safetensors"))
        XCTAssertEqual(clip.imageSize, 28)
        XCTAssertEqual(clip.outputs, 16)
        let plane = 3 * 28 * 28
        for (index, target) in reference.embeddings.enumerated() {
            let ours = clip.embed(Array(reference.images[(index * plane)..<((index + 1) * plane)]), size: 28)
            XCTAssertEqual(ours.count, target.count)
            for (a, b) in zip(ours, target) { XCTAssertEqual(a, b, accuracy: 1e-4, "image \(index)") }
        }
    }

    /// CMMD to 1e-9 relative of the float64 definition; a set against itself is 0.
    func testCMMDMatchesThePaperDefinition() throws {
        let reference = try expected()
        func set(_ rows: [[Double]], _ name: String) throws -> FeatureSet {
            try FeatureSet(rows.flatMap { $0.map(Float.init) }, dimensions: rows[0].count, source: name)
        }
        let x = try set(reference.x, "x"), y = try set(reference.y, "y")
        XCTAssertEqual(try CMMD.distance(x, y), reference.cmmd, accuracy: 1e-9 * reference.cmmd)
        XCTAssertEqual(try CMMD.distance(x, x), 0, accuracy: 1e-9)
        XCTAssertThrowsError(try CMMD.distance(x, try FeatureSet([1, 2], dimensions: 2, source: "narrow")))
    }
}

extension CLIPImageEncoderTests {
    /// `fid A B --features clip-vitl14-336 --cmmd`: a set against itself is 0; asking for CMMD
    /// with another network is a one-line error.
    func testCMMDFromTheCommandLine() throws {
        let images = try SharedData.require("fixtures/fid/images.npy").path
        let weights = Self.fixtures.appendingPathComponent("small.safetensors").path
        let result = try TTURTextExecutable.run(["fid", images, images, "--features", "clip-vitl14-336", "--weights", weights, "--cmmd", "--json"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(object["cmmd"] as? Double), 0, accuracy: 1e-9)
        XCTAssertEqual(object["dims"] as? Int, 16)
        let refused = try TTURTextExecutable.run(["fid", images, images, "--cmmd"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains("--cmmd needs --features clip-vitl14-336"), refused.standardError)
    }
}
