import Corpus
import Foundation
import NGrams
import XCTest
import _TestSupport

final class JSDTests: XCTestCase {
    /// The reference's definition, written out naively over every n-gram of both models.
    private func naiveJSD(_ real: [[TokenID]], _ samples: [[TokenID]], n: Int) -> Double {
        func counts(_ rows: [[TokenID]]) -> [[TokenID]: Double] {
            var c: [[TokenID]: Double] = [:]
            for r in rows where r.count >= n { for i in 0...(r.count - n) { c[Array(r[i..<(i + n)]), default: 0] += 1 } }
            return c
        }
        let p = counts(real), q = counts(samples)
        let pt = p.values.reduce(0, +), qt = q.values.reduce(0, +)
        func halfKL(_ a: [[TokenID]: Double], _ at: Double, _ b: [[TokenID]: Double], _ bt: Double) -> Double {
            a.reduce(0) { s, e in
                let pa = e.value / at, m = 0.5 * (pa + (b[e.key] ?? 0) / bt)
                return s + pa * (log(pa) - log(m))
            }
        }
        return 0.5 * (halfKL(p, pt, q, qt) + halfKL(q, qt, p, pt)) / log(2)
    }

    private func dataset(_ lines: [String], in corpus: TemporaryCorpus, unit: UnitKind = .codepoint,
                         length: Int = 12, maxN: Int = 6, memoryLimit: Int = 1 << 30) throws -> PreparedDataset {
        try corpus.addShard(1, lines: lines)
        var options = PreparationOptions()
        options.unit = unit
        options.sequenceLength = length
        return try CorpusPreparation.prepare(
            shards: try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train), name: "j",
            output: corpus.root.appendingPathComponent("data"), options: options,
            finishing: { staging in
                try NGramStoreBuilder.build(dataset: try PreparedDataset(directory: staging), maxN: maxN,
                                            output: staging.appendingPathComponent(StoreSchema.fileName),
                                            memoryLimit: memoryLimit)
            })
    }

    private static let lines = (0..<300).map { i in
        ["the cat sat", "on the mat", "a dog barked at \(i)", "zz top", "", "naïve café \(i % 7)"][i % 6]
    }

    func testClosedFormMatchesTheDefinitionOverEveryNGram() throws {
        let corpus = try TemporaryCorpus()
        let data = try dataset(Self.lines, in: corpus)
        let store = try NGramStore(dataset: data)
        let real = (0..<data.sentenceCount).map { Array(data.sentence($0)) }
        let samples = ["the cat barked", "qqqq", "naïve dog", "", "on the mat on the mat"].map { data.encode(line: $0) }
        let scores = try store.jsd(samples: samples, maxN: 6)
        for n in 1...6 {
            XCTAssertEqual(scores[n]!, naiveJSD(real, samples, n: n), accuracy: 1e-12, "n = \(n)")
        }
    }

    func testTheCorpusAgainstItselfIsZero() throws {
        let corpus = try TemporaryCorpus()
        let data = try dataset(Self.lines, in: corpus, unit: .word, length: 5)
        let store = try NGramStore(dataset: data)
        let all = (0..<data.sentenceCount).map { Array(data.sentence($0)) }
        for (n, value) in try store.jsd(samples: all, maxN: 5) { XCTAssertEqual(value, 0, accuracy: 1e-12, "n = \(n)") }
    }

    func testSpillingInBatchesGivesTheSameCounts() throws {
        let lines = (0..<9000).map { "line \($0 * 7919 % 10007) of \($0 % 13)" }
        let whole = try TemporaryCorpus(), batched = try TemporaryCorpus()
        let a = try NGramStore(dataset: try dataset(lines, in: whole))
        let b = try NGramStore(dataset: try dataset(lines, in: batched, memoryLimit: 1))
        XCTAssertEqual(a.totals, b.totals)
        let probe = try PreparedDataset(directory: whole.root.appendingPathComponent("data"))
        for s in stride(from: 0, to: probe.sentenceCount, by: 97) {
            let row = Array(probe.sentence(s))
            for n in 1...6 { XCTAssertEqual(a.count(of: Array(row.prefix(n))), b.count(of: Array(row.prefix(n)))) }
        }
        let samples = ["line 12 of 3", "line 99", "zzz"].map { probe.encode(line: $0) }
        XCTAssertEqual(try a.jsd(samples: samples), try b.jsd(samples: samples))
    }

    func testParityWithThePythonReference() throws {
        let sample = try SharedData.require("corpora/billion-word-sample")
        let oracle = try SharedData.require("reference/ngram_jsd.py")
        let corpus = try TemporaryCorpus()
        var options = PreparationOptions()
        options.unit = .codepoint
        let data = try CorpusPreparation.prepare(
            shards: try ShardDiscovery.shards(in: sample, split: .train), name: "p",
            output: corpus.root.appendingPathComponent("data"), options: options,
            finishing: { staging in
                try NGramStoreBuilder.build(dataset: try PreparedDataset(directory: staging), maxN: 6,
                                            output: staging.appendingPathComponent(StoreSchema.fileName))
            })
        let store = try NGramStore(dataset: data)

        // The real text, decompressed for the oracle.
        let real = corpus.root.appendingPathComponent("real.txt")
        let text = try ShardDiscovery.shards(in: sample, split: .train)
            .map { try TemporaryCorpus.output("/usr/bin/zstd", ["-dc", $0.path]) }.joined()
        try Data(text.utf8).write(to: real)
        let realLines = text.split(separator: "\n").map(String.init)
        var seed: UInt64 = 42
        func next() -> UInt64 {  // a fixed LCG (Knuth's MMIX constants), so the strings are the same every run
            seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz ,.'ABC")
        let sets: [String: [String]] = [
            "real": stride(from: 5, to: realLines.count, by: 19).prefix(640).map { realLines[$0] },
            "random": (0..<640).map { _ in String((0..<Int(next() % 40)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }) },
            "outside-vocabulary": (0..<100).map { "Ünïcödé 漢字 ☃ \($0) — ß" },
        ]
        for (name, lines) in sets.sorted(by: { $0.key < $1.key }) {
            let file = corpus.root.appendingPathComponent("samples-\(name).txt")
            try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: file)
            let json = try TemporaryCorpus.output("/usr/bin/env", ["python3", oracle.path, real.path, file.path, "--max-n", "6"])
            let expected = try JSONDecoder().decode([String: Double].self, from: Data(json.utf8))
            let ours = try store.jsd(samples: try data.vocabulary.encode(lines: lines, length: 32), maxN: 6)
            for n in 1...6 {
                XCTAssertEqual(ours[n]!, expected["\(n)"]!, accuracy: 1e-9, "\(name), n = \(n)")
            }
        }
    }
}
