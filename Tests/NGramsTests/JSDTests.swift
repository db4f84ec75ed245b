import Basics
import Corpus
import Foundation
import GRDB
@testable import NGrams
import XCTest
import _TestSupport

final class JSDTests: XCTestCase {
    /// The reference's definition, written out naively over every n-gram of both models.
    /// With `skipping`, the n-gram of n times that unit is left out of both models.
    private func naiveJSD(_ real: [[TokenID]], _ samples: [[TokenID]], n: Int, skipping: TokenID? = nil) -> Double {
        func counts(_ rows: [[TokenID]]) -> [[TokenID]: Double] {
            var c: [[TokenID]: Double] = [:]
            for r in rows where r.count >= n { for i in 0...(r.count - n) { c[Array(r[i..<(i + n)]), default: 0] += 1 } }
            if let skipping { c[Array(repeating: skipping, count: n)] = nil }
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
                         length: Int = 12, maxN: Int = 6, memoryLimit: Int = 1 << 30,
                         threads: Int? = nil) throws -> PreparedDataset {
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
                                            memoryLimit: memoryLimit, threads: threads)
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
        // One thread and two (the two highest orders on their own, unpruned) agree exactly.
        for threads in [1, 2] {
            store.evaluationThreads = threads
            XCTAssertEqual(try store.jsd(samples: samples, maxN: 6), scores)
            XCTAssertEqual(try store.jsd(samples: samples, maxN: 4), scores.filter { $0.key <= 4 })
        }
    }

    /// The JSD over n-grams not all padding is the definition over both models without their
    /// all-padding n-gram, from the same pass as the paper's; samples of nothing but padding
    /// score 1.
    func testNonPaddingJSDMatchesTheDefinitionWithoutTheAllPaddingNGram() throws {
        let corpus = try TemporaryCorpus()
        let data = try dataset(Self.lines, in: corpus)
        let store = try NGramStore(dataset: data)
        let padding = try XCTUnwrap(data.vocabulary.padding)
        let real = (0..<data.sentenceCount).map { Array(data.sentence($0)) }
        let samples = ["the cat barked", "qqqq", "naïve dog", "", "on the mat on the mat"].map { data.encode(line: $0) }
        let scores = try store.jsd(samples: samples, maxN: 6, padding: padding)
        XCTAssertEqual(scores.all, try store.jsd(samples: samples, maxN: 6))
        for n in 1...6 {
            XCTAssertEqual(scores.nonPadding[n]!, naiveJSD(real, samples, n: n, skipping: padding), accuracy: 1e-12, "n = \(n)")
            XCTAssertNotEqual(scores.nonPadding[n]!, scores.all[n]!, accuracy: 1e-6, "n = \(n): padding n-grams count in the paper's")
        }
        let empty = try store.jsd(samples: Array(repeating: data.encode(line: ""), count: 5), maxN: 6, padding: padding)
        XCTAssertEqual(empty.nonPadding, Dictionary(uniqueKeysWithValues: (1...6).map { ($0, 1.0) }))
        XCTAssertTrue(empty.all.values.allSatisfy { $0 < 1 }, "the paper's JSD rewards empty output: \(empty.all)")
    }

    /// The table images copied at open give exactly the JSD and counts of the tables hashed
    /// from the blocks (a store with its images dropped, or of another image layout).
    func testTableImagesGiveTheBlocksCounts() throws {
        let corpus = try TemporaryCorpus()
        let data = try dataset(Self.lines, in: corpus)
        let path = data.directory.appendingPathComponent(StoreSchema.fileName).path
        let imaged = try NGramStore(dataset: data)
        XCTAssertEqual(imaged.imageOrders, Array(1...6))
        let samples = ["the cat barked", "qqqq", "naïve dog", "", "on the mat on the mat"].map { data.encode(line: $0) }
        let scores = try imaged.jsd(samples: samples, maxN: 6)
        let real = (0..<data.sentenceCount).map { Array(data.sentence($0)) }
        for sql in ["UPDATE table_images SET layout = 'some other layout'", "DELETE FROM table_images; DELETE FROM table_image_parts"] {
            _ = try TemporaryCorpus.output("/usr/bin/sqlite3", [path, sql])
            let hashed = try NGramStore(dataset: data)
            XCTAssertEqual(hashed.imageOrders, [], sql)
            XCTAssertEqual(try hashed.jsd(samples: samples, maxN: 6), scores, sql)
            for row in real.prefix(20) {
                for n in 1...6 { XCTAssertEqual(hashed.count(of: Array(row.prefix(n))), imaged.count(of: Array(row.prefix(n)))) }
            }
        }
    }

    /// Every slot layout (count inside the word, counts beside it) with counts saturating
    /// their field: exact after an image round trip through SQLite.
    func testPackedTableLayoutsAndSaturatedCounts() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("packed-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // 4 × 13 bits leave 12 count bits (saturated at 4,095); 4 × 14 leave 8: counts beside.
        for (vocabulary, countBits) in [(1 << 13, 12), (1 << 14, 0)] {
            let values: [UInt64] = [1, 2, 4_094, 4_095, 4_096, 70_000, UInt64(UInt32.max) - 1, UInt64(UInt32.max), 1 << 40]
            var random = SplitMix64(seed: 3)
            let keys = values.map { _ in (0..<4).reduce(NGramKey.empty) { $0.appending(TokenID(random.next(below: vocabulary)), at: $1) } }
            let table = try XCTUnwrap(PackedCountTable(order: 4, vocabularySize: vocabulary, distinct: values.count))
            XCTAssertEqual(table.countBits, countBits)
            for (key, value) in zip(keys, values) { XCTAssertTrue(table.insert(key, count: value)) }
            XCTAssertFalse(table.insert(NGramKey.empty.appending(TokenID(vocabulary), at: 0), count: 1), "id beyond the bit width")
            let database = try DatabaseQueue(path: directory.appendingPathComponent("\(vocabulary).sqlite").path)
            try database.write { db in
                try db.execute(sql: StoreSchema.create)
                try TableImage.write(table, db, path: "t")
            }
            let copy = try database.read { db -> PackedCountTable in
                let header = try XCTUnwrap(try TableImage.headers(db, path: "t")[4])
                let copy = try XCTUnwrap(PackedCountTable(order: 4, vocabularySize: vocabulary, distinct: values.count, slots: header.slots))
                try TableImage.read(db, into: copy, header: header, distinct: values.count, total: values.reduce(0, +), path: "t")
                return copy
            }
            for (key, value) in zip(keys, values) {
                XCTAssertEqual(table.find(key), value, "\(vocabulary)")
                XCTAssertEqual(copy.find(key), value, "\(vocabulary)")
            }
            XCTAssertEqual(copy.find(NGramKey.empty.appending(1, at: 0).appending(2, at: 1)), 0)
            // The batched look-up (prefetching ahead) gives what single look-ups give, over
            // more keys than the prefetch distance, absent ones among them.
            let probes = keys + (0..<(3 * PackedCountTable.prefetchDistance)).map { _ in
                (0..<4).reduce(NGramKey.empty) { $0.appending(TokenID(random.next(below: vocabulary)), at: $1) }
            }
            var found = [UInt64](repeating: .max, count: probes.count)
            found.withUnsafeMutableBufferPointer { out in
                probes.withUnsafeBufferPointer { copy.find($0.baseAddress!, count: probes.count, into: out.baseAddress!) }
            }
            XCTAssertEqual(found, probes.map { copy.find($0) }, "\(vocabulary)")
            XCTAssertEqual(Array(found.prefix(values.count)), values, "\(vocabulary)")
            XCTAssertTrue(found.dropFirst(values.count).contains(0), "absent keys among the probes")
        }
    }

    /// A vocabulary of more than 256 units (9 bits a token): orders 1…7 are held with packed
    /// 64-bit keys and order 8 (72 bits) in the general table; both give the definition's JSD.
    func testPackedAndWideOrdersMatchTheDefinition() throws {
        var random = SplitMix64(seed: 5)
        let lines = (0..<400).map { _ in
            String(String.UnicodeScalarView((0..<10).map { _ in Unicode.Scalar(0x4E00 + UInt32(random.next(below: 300)))! }))
        }
        let corpus = try TemporaryCorpus()
        let data = try dataset(lines, in: corpus, length: 12, maxN: 8)
        XCTAssertGreaterThan(data.vocabulary.count, 256)
        let store = try NGramStore(dataset: data)
        XCTAssertEqual(store.packedOrders, Array(1...7))
        XCTAssertEqual(store.imageOrders, Array(1...7))
        let real = (0..<data.sentenceCount).map { Array(data.sentence($0)) }
        let samples = Array(real.prefix(30)) + lines.suffix(5).map { data.encode(line: String($0.reversed())) }
        let scores = try store.jsd(samples: samples, maxN: 8)
        for n in 1...8 {
            XCTAssertEqual(scores[n]!, naiveJSD(real, samples, n: n), accuracy: 1e-12, "n = \(n)")
        }
        for n in [7, 8] {
            let gram = Array(real[0].prefix(n))
            let occurrences = real.reduce(0) { total, row in total + (0...(row.count - n)).filter { Array(row[$0 ..< $0 + n]) == gram }.count }
            XCTAssertEqual(store.count(of: gram), UInt64(occurrences), "n = \(n)")
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

    func testThreadCountsAndSpillsGiveTheSameStore() throws {
        // Words, so that the vocabulary passes 256 units and the keys' high bytes differ too.
        let lines = (0..<9000).map { "w\($0 * 7919 % 10007) \($0 % 13) x\($0 % 701) w\($0 % 3001) ÿ" }
        var dumps: [String] = []
        for (threads, limit) in [(1, 1 << 30), (2, 1 << 30), (3, 1 << 30), (2, 1), (1, 1)] {
            let corpus = try TemporaryCorpus()
            let data = try dataset(lines, in: corpus, unit: .word, length: 8, maxN: 7, memoryLimit: limit, threads: threads)
            XCTAssertGreaterThan(data.vocabulary.count, 256)
            _ = try NGramStore(dataset: data)
            let path = data.directory.appendingPathComponent(StoreSchema.fileName).path
            dumps.append(try TemporaryCorpus.output("/usr/bin/sqlite3", [path,
                "SELECT n, block, entries, hex(keys), hex(counts) FROM ngram_blocks ORDER BY n, block; SELECT * FROM totals"]))
        }
        for dump in dumps.dropFirst() { XCTAssertEqual(dump, dumps[0]) }
    }

    func testBlocksHoldSortedBigEndianKeysAndCounts() throws {
        let corpus = try TemporaryCorpus()
        let data = try dataset(["abab", "ba"], in: corpus, length: 4, maxN: 2)
        let path = data.directory.appendingPathComponent(StoreSchema.fileName).path
        let a = Int(data.encode(line: "a")[0]), b = Int(data.encode(line: "b")[0]), pad = Int(data.encode(line: "")[0])
        // Bigrams: ab ×2, ba ×2, a` ×1, `` ×1 (padding "`").
        var expected: [(key: Int, count: Int)] = [(a << 16 | b, 2), (b << 16 | a, 2), (a << 16 | pad, 1), (pad << 16 | pad, 1)]
        expected.sort { $0.key < $1.key }
        let keys = expected.map { String(format: "%08X", $0.key) }.joined()
        let counts = expected.map { String(format: "%016X", $0.count) }.joined()
        let row = try TemporaryCorpus.output("/usr/bin/sqlite3", [path, "SELECT block, entries, hex(keys), hex(counts) FROM ngram_blocks WHERE n = 2"])
        XCTAssertEqual(row.trimmingCharacters(in: .whitespacesAndNewlines), "0|4|\(keys)|\(counts)")
        let meta = try TemporaryCorpus.output("/usr/bin/sqlite3", [path, "SELECT value FROM meta WHERE key = 'format'"])
        XCTAssertEqual(meta.trimmingCharacters(in: .whitespacesAndNewlines), StoreSchema.format)
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
