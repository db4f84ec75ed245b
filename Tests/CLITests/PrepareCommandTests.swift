import Foundation
import XCTest
import _TestSupport

/// `prepare corpus` and `eval jsd` as a user runs them.
final class PrepareCommandTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: work) }

    func testSampleCodepointPreparationIsByteIdenticalOnRerunAndScores() throws {
        let sample = try SharedData.require("corpora/billion-word-sample")
        let out = work.appendingPathComponent("sample")
        let arguments = ["prepare", "corpus", sample.path, "--out", out.path, "--unit", "codepoint",
                         "--ngram", "3", "--vocab-dir", work.appendingPathComponent("Vocab").path]
        let first = try TTURTextExecutable.run(arguments)
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertTrue(first.standardOutput.contains("12216 sentences"), first.standardOutput)
        let tokens = try Data(contentsOf: out.appendingPathComponent("tokens.u16"))
        XCTAssertEqual(tokens.count, 12_216 * 32 * 2)
        let second = try TTURTextExecutable.run(arguments)
        XCTAssertEqual(second.status, 0, second.standardError)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("tokens.u16")), tokens)
        XCTAssertEqual(try Data(contentsOf: work.appendingPathComponent("Vocab/sample.tsv")),
                       try Data(contentsOf: out.appendingPathComponent("vocab.tsv")))

        let samples = work.appendingPathComponent("samples.txt")
        try Data("The cat sat .\nA dog barked at the moon .\n".utf8).write(to: samples)
        let evaluate = ["eval", "jsd", "--data", out.path, "--samples", samples.path, "--ngram", "3", "--json"]
        let eval = try TTURTextExecutable.run(evaluate)
        XCTAssertEqual(eval.status, 0, eval.standardError)
        let scores = try JSONDecoder().decode([String: Double].self, from: Data(eval.standardOutput.utf8))
        XCTAssertEqual(Set(scores.keys), ["1", "2", "3"])
        XCTAssertTrue(scores.values.allSatisfy { $0 > 0 && $0 < 1 })
        // `eval jsd` reads the manifest, the vocabulary and the store, never the sentences.
        try FileManager.default.moveItem(at: out.appendingPathComponent("tokens.u16"), to: work.appendingPathComponent("tokens.u16"))
        let withoutSentences = try TTURTextExecutable.run(evaluate)
        XCTAssertEqual(withoutSentences.status, 0, withoutSentences.standardError)
        XCTAssertEqual(withoutSentences.standardOutput, eval.standardOutput)
    }

    func testBundledCorpusIsTheDefault() throws {
        let out = work.appendingPathComponent("bundled")
        let result = try TTURTextExecutable.run(
            ["prepare", "corpus", "--out", out.path, "--ngram", "2", "--vocab-dir", ""],
            currentDirectory: SharedData.repositoryRoot)
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("ngrams.sqlite").path))
        XCTAssertTrue(result.standardOutput.contains("× 32 graphemes"), result.standardOutput)
    }

    func testStoreOfTheOlderFormatAsksForARebuildAndPrepareNGramsRebuildsIt() throws {
        let out = work.appendingPathComponent("bundled")
        let prepared = try TTURTextExecutable.run(
            ["prepare", "corpus", "--out", out.path, "--ngram", "3", "--vocab-dir", ""],
            currentDirectory: SharedData.repositoryRoot)
        XCTAssertEqual(prepared.status, 0, prepared.standardError)
        let samples = work.appendingPathComponent("samples.txt")
        try Data("The cat sat .\nA dog barked .\n".utf8).write(to: samples)
        let evaluate = ["eval", "jsd", "--data", out.path, "--samples", samples.path, "--ngram", "3", "--json"]
        let first = try TTURTextExecutable.run(evaluate)
        XCTAssertEqual(first.status, 0, first.standardError)

        let store = out.appendingPathComponent("ngrams.sqlite").path
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [store, "UPDATE meta SET value = 'ttur-text ngrams 1' WHERE key = 'format'"]
        try sqlite.run()
        sqlite.waitUntilExit()
        let old = try TTURTextExecutable.run(evaluate)
        XCTAssertNotEqual(old.status, 0)
        XCTAssertTrue(old.standardError.contains("rebuild it with `ttur-text prepare ngrams --data"), old.standardError)
        XCTAssertTrue(old.standardOutput.isEmpty, old.standardOutput)

        // Rebuilt on one thread under the smallest memory limit: the same scores.
        let rebuilt = try TTURTextExecutable.run(["prepare", "ngrams", "--data", out.path, "--ngram", "3",
                                                  "--memory-limit", "16", "--ngram-threads", "1"])
        XCTAssertEqual(rebuilt.status, 0, rebuilt.standardError)
        let again = try TTURTextExecutable.run(evaluate)
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertEqual(again.standardOutput, first.standardOutput)
    }

    func testBadInputIsOneLineAndNonZero() throws {
        let result = try TTURTextExecutable.run(["prepare", "corpus", work.appendingPathComponent("missing").path,
                                                 "--out", work.appendingPathComponent("o").path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains("missing: no such directory"), result.standardError)
        let store = try TTURTextExecutable.run(["eval", "jsd", "--data", work.path, "--samples", "x"])
        XCTAssertNotEqual(store.status, 0)
        XCTAssertTrue(store.standardError.contains("manifest.json: missing"), store.standardError)
    }
}
