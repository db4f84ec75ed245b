import Basics
import Corpus
import Foundation
@testable import NGrams
import XCTest
import _TestSupport

/// MS-Jaccard against `scripts/text_metrics_reference.py` (the paper's definition, exact
/// fractions) on the BLEU fixture's sentences, and novelty on a dataset the test prepares.
final class TextMetricsTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    private func sentences(_ name: String) throws -> [[String]] {
        BLEU.wordLists(try String(contentsOf: Self.fixtures.appendingPathComponent("bleu/\(name)"), encoding: .utf8)
            .split(separator: "\n").map(String.init))
    }

    /// Every J_k and MS-Jaccard-n of both cases to 1e-12 relative (the script's J_k are exact
    /// fractions rounded once; ours sum float64 shares, so they differ by rounding alone).
    func testMSJaccardMatchesTheDefinitionScript() throws {
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("text-metrics/expected.json"))) as? [String: [String: Double]])
        for name in ["main", "long"] {
            let reference = try XCTUnwrap(expected[name])
            let samples = try sentences("\(name)-samples.txt"), references = try sentences("\(name)-references.txt")
            let jaccard = MSJaccard.jaccard(samples: samples, references: references, maxN: 5)
            let scores = MSJaccard.scores(samples: samples, references: references)
            var values: [(String, Double?)] = (1...5).map { ("jaccard\($0)", jaccard[$0 - 1]) }
            values += (2...5).map { ("msjaccard\($0)", scores[$0]!) }
            for (key, value) in values {
                let target = try XCTUnwrap(reference[key], key), actual = try XCTUnwrap(value, key)
                XCTAssertEqual(actual, target, accuracy: 1e-12 * max(abs(target), 1e-300), "\(name) \(key)")
            }
        }
    }

    func testMSJaccardOfASetWithItselfIsOneAndOfDisjointSetsZero() {
        let a = [["the", "cat", "sat"], ["a", "dog", "ran", "far", "away"]]
        for (n, value) in MSJaccard.scores(samples: a, references: a) { XCTAssertEqual(value, 1, "n = \(n)") }
        // The same sentences twice over: the counts per sentence, hence the score, do not change.
        for (n, value) in MSJaccard.scores(samples: a + a, references: a) { XCTAssertEqual(value!, 1, accuracy: 1e-15, "n = \(n)") }
        for (n, value) in MSJaccard.scores(samples: [["x", "y", "z", "w", "v"]], references: a) { XCTAssertEqual(value, 0, "n = \(n)") }
        // No 5-gram on either side: undefined, not zero.
        XCTAssertEqual(MSJaccard.scores(samples: [["a", "b"]], references: [["a", "b"]], orders: 2...5)[5]!, nil)
    }

    /// Copies are whole training rows; words are runs between spaces and padding; a row that
    /// fills its length loses its last (maybe cut) word, in the corpus and in the samples.
    func testNoveltyCountsCopiedSentencesAndUnknownWords() throws {
        let corpus = try TemporaryCorpus()
        _ = try corpus.addShard(1, lines: ["the cat sat", "a dog ran far", "the big elephant walked on", "a dog ran far"])
        var options = PreparationOptions()
        options.unit = .codepoint
        options.sequenceLength = 16
        let dataset = try CorpusPreparation.prepare(shards: try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train),
                                                    name: "novelty", output: corpus.root.appendingPathComponent("data"), options: options)
        let novelty = TextNovelty(dataset: dataset)
        // "the big elephant walked on" is cut to "the big elephant" (16 units, full): "elephant"
        // (maybe cut) is no corpus word; "the", "big" are.
        let samples = [
            "the cat sat",           // a copy; words the, cat, sat: known
            "the dog sat",           // new; the, dog, sat: known
            "zebra cat",             // zebra unknown, cat known
            "the big elephant",      // a copy of the cut row: full, so its last word is not counted; the, big known
            "elephant sat",          // elephant: not a corpus word (only ever last in a full row)
        ]
        let shares = novelty.shares(of: samples)
        XCTAssertEqual(shares.copied, 2.0 / 5)
        // Words counted: 3 + 3 + 2 + 2 + 2 = 12; unknown: zebra, elephant.
        XCTAssertEqual(try XCTUnwrap(shares.unknownWords), 2.0 / 12, accuracy: 1e-15)
        XCTAssertNil(novelty.shares(of: [""]).unknownWords)
        let commonest = try XCTUnwrap(novelty.sentences.commonest)
        XCTAssertEqual(commonest.count, 2)
        XCTAssertEqual(dataset.vocabulary.decode(ids: dataset.sentence(commonest.row)), "a dog ran far")
        XCTAssertEqual(novelty.shares(of: [""]).copied, 0)
    }
}
