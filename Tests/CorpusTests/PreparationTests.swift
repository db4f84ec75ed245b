import Corpus
import Foundation
import XCTest
import _TestSupport

final class PreparationTests: XCTestCase {
    private func options(_ unit: UnitKind, length: Int = 8, vocabulary: Int = 2048) -> PreparationOptions {
        var o = PreparationOptions()
        o.unit = unit
        o.sequenceLength = length
        o.maxVocabulary = vocabulary
        return o
    }

    /// The anchor's rules, written out independently: truncate to L code points, pad with
    /// "`", count (padding included), keep the V−1 most frequent (ties by code points) after unk.
    func testVocabularyAndEncodingMatchTheAnchorRules() throws {
        let corpus = try TemporaryCorpus()
        let lines = ["the cat sat on the mat", "a dog", "", "ζῷον λόγον ἔχον", "zzzz qqq xx", "the end."]
        try corpus.addShard(1, lines: Array(lines[0..<3]))
        try corpus.addShard(2, lines: Array(lines[3...]), zstd: true)
        let length = 8, maxVocabulary = 12
        let out = corpus.root.appendingPathComponent("out")
        let dataset = try CorpusPreparation.prepare(
            shards: try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train), name: "t",
            output: out, options: options(.codepoint, length: length, vocabulary: maxVocabulary))

        let padded = lines.map { line -> [String] in
            let units = line.unicodeScalars.prefix(length).map { String($0) }
            return units + Array(repeating: "`", count: length - units.count)
        }
        var counts: [String: Int] = [:]
        for row in padded { for u in row { counts[u, default: 0] += 1 } }
        let ranked = counts.keys.sorted {
            counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]!
                : $0.unicodeScalars.map(\.value).lexicographicallyPrecedes($1.unicodeScalars.map(\.value))
        }.prefix(maxVocabulary - 1)
        XCTAssertEqual(dataset.vocabulary.units, ["unk"] + ranked)
        let ids = Dictionary(uniqueKeysWithValues: ranked.enumerated().map { ($1, TokenID($0 + 1)) })
        let expectedRows = padded.map { $0.map { ids[$0] ?? 0 } }
        let rows = (0..<dataset.sentenceCount).map { Array(dataset.sentence($0)) }
        XCTAssertEqual(rows.sorted { $0.lexicographicallyPrecedes($1) }, expectedRows.sorted { $0.lexicographicallyPrecedes($1) })
        XCTAssertEqual(dataset.manifest.unkUnits, expectedRows.joined().filter { $0 == 0 }.count)
        XCTAssertEqual(dataset.manifest.truncatedSentences, lines.filter { $0.unicodeScalars.count > length }.count)
        // encode(line:) is the same function of a line as preparation.
        for (line, row) in zip(lines, expectedRows) { XCTAssertEqual(dataset.encode(line: line), row) }
    }

    func testGraphemeUnitsKeepClustersWhole() throws {
        let vocabulary = try preparedVocabulary(["e\u{301}te\u{301} 🇫🇷!", "ascii only"], unit: .grapheme)
        XCTAssertTrue(vocabulary.units.contains("e\u{301}"))
        XCTAssertTrue(vocabulary.units.contains("🇫🇷"))
        XCTAssertEqual(vocabulary.decode(ids: vocabulary.encode(line: "e\u{301}t 🇫🇷", length: 8)), "e\u{301}t 🇫🇷")
        XCTAssertEqual(vocabulary.encode(line: "e\u{301}", length: 3).count, 3)

        let codepoints = try preparedVocabulary(["e\u{301}te\u{301} 🇫🇷!"], unit: .codepoint)
        XCTAssertTrue(codepoints.units.contains("\u{301}"))
        XCTAssertFalse(codepoints.units.contains("e\u{301}"))
    }

    func testWordUnitsAreLowerCasedICUWordsWithoutSpaces() throws {
        let vocabulary = try preparedVocabulary(["Hello , World !", "hello again"], unit: .word)
        let ids = vocabulary.encode(line: "HELLO World", length: 4)
        XCTAssertEqual(ids.prefix(2).map { vocabulary.units[Int($0)] }, ["hello", "world"])
        XCTAssertEqual(ids.suffix(2), [vocabulary.padding!, vocabulary.padding!])
        XCTAssertFalse(vocabulary.units.contains(" "))
        XCTAssertEqual(vocabulary.decode(ids: ids), "hello world")
    }

    func testDecodeStripsTrailingPaddingAndShowsUnknown() throws {
        let vocabulary = try preparedVocabulary(["abc"], unit: .codepoint)
        let ids = vocabulary.encode(line: "abz", length: 6)
        XCTAssertEqual(ids.last, vocabulary.padding)
        XCTAssertEqual(ids[2], Vocabulary.unknown)
        XCTAssertEqual(vocabulary.decode(ids: ids), "ab\u{FFFD}")
    }

    func testShuffleIsDeterministicPerSeedAndKeepsTheSentences() throws {
        let corpus = try TemporaryCorpus()
        try corpus.addShard(1, lines: (0..<200).map { "sentence \($0)" })
        let shards = try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train)
        func tokens(_ seed: UInt64, _ name: String) throws -> Data {
            var o = options(.codepoint, length: 16)
            o.seed = seed
            let d = try CorpusPreparation.prepare(shards: shards, name: "s", output: corpus.root.appendingPathComponent(name), options: o)
            return Data(buffer: d.tokens)
        }
        let a = try tokens(1, "a"), b = try tokens(1, "b"), c = try tokens(2, "c")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(a.count, 200 * 16 * 2)
    }

    func testMaxExamplesStopsReading() throws {
        let corpus = try TemporaryCorpus()
        try corpus.addShard(1, lines: (0..<30).map { "line \($0)" })
        try corpus.addShard(2, lines: (0..<30).map { "more \($0)" }, zstd: true)
        var o = options(.codepoint)
        o.maxExamples = 40
        let d = try CorpusPreparation.prepare(shards: try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train),
                                              name: "m", output: corpus.root.appendingPathComponent("o"), options: o)
        XCTAssertEqual(d.sentenceCount, 40)
        XCTAssertEqual(d.manifest.sources.count, 2)
    }

    func testMultiFrameZstdAndCRLFLines() throws {
        let corpus = try TemporaryCorpus()
        let first = try corpus.addShard(1, bytes: Data("one\r\ntwo\n".utf8), zstd: true)
        let second = corpus.root.appendingPathComponent("second")
        try Data("three\nfour".utf8).write(to: second)
        try TemporaryCorpus.run("/usr/bin/zstd", ["-q", "-f", second.path])
        let handle = try FileHandle(forWritingTo: first)
        handle.seekToEndOfFile()
        handle.write(try Data(contentsOf: URL(fileURLWithPath: second.path + ".zst")))
        try handle.close()
        let d = try CorpusPreparation.prepare(shards: [first], name: "f", output: corpus.root.appendingPathComponent("o"),
                                              options: options(.codepoint))
        let lines = Set((0..<d.sentenceCount).map { d.vocabulary.decode(ids: d.sentence($0)) })
        XCTAssertEqual(lines, ["one", "two", "three", "four"])
    }

    func testSampleCorpusGives12216SentencesAndAByteIdenticalRerun() throws {
        let sample = try SharedData.require("corpora/billion-word-sample")
        let corpus = try TemporaryCorpus()
        let shards = try ShardDiscovery.shards(in: sample, split: .train)
        let first = try CorpusPreparation.prepare(shards: shards, name: "s", output: corpus.root.appendingPathComponent("o"),
                                                  options: options(.codepoint, length: 32))
        XCTAssertEqual(first.sentenceCount, 12_216)
        let bytes = Data(buffer: first.tokens)
        let again = try CorpusPreparation.prepare(shards: shards, name: "s", output: corpus.root.appendingPathComponent("o"),
                                                  options: options(.codepoint, length: 32))
        XCTAssertEqual(Data(buffer: again.tokens), bytes)
        XCTAssertEqual(first.manifest, again.manifest)
        XCTAssertEqual(corpus.entries(of: corpus.root), ["corpus", "o"])
    }

    private func preparedVocabulary(_ lines: [String], unit: UnitKind) throws -> Vocabulary {
        let corpus = try TemporaryCorpus()
        try corpus.addShard(1, lines: lines)
        return try CorpusPreparation.prepare(
            shards: try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train), name: "v",
            output: corpus.root.appendingPathComponent("o"), options: options(unit)).vocabulary
    }
}
