import Basics
import Corpus
import Foundation
import NGrams
import XCTest
import _TestSupport

/// A store that is missing, locked, corrupt or from another vocabulary is an error, never a number.
final class StoreErrorTests: XCTestCase {
    private func build(_ lines: [String], in corpus: TemporaryCorpus, name: String) throws -> PreparedDataset {
        try corpus.addShard(1, lines: lines)
        var options = PreparationOptions()
        options.unit = .codepoint
        options.sequenceLength = 10
        return try CorpusPreparation.prepare(
            shards: try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train), name: name,
            output: corpus.root.appendingPathComponent(name), options: options,
            finishing: { staging in
                try NGramStoreBuilder.build(dataset: try PreparedDataset(directory: staging), maxN: 4,
                                            output: staging.appendingPathComponent(StoreSchema.fileName))
            })
    }

    private func expectError(_ fragment: String, _ open: () throws -> NGramStore, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try open(), file: file, line: line) { error in
            XCTAssertTrue(error is LocatedError, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(error) lacks \(fragment)", file: file, line: line)
        }
    }

    func testMissingStore() throws {
        let corpus = try TemporaryCorpus()
        let data = try build(["abc", "abd"], in: corpus, name: "a")
        try FileManager.default.removeItem(at: data.directory.appendingPathComponent(StoreSchema.fileName))
        expectError("ngrams.sqlite: missing") { try NGramStore(dataset: data) }
    }

    func testCorruptStore() throws {
        let corpus = try TemporaryCorpus()
        let data = try build(["abc", "abd"], in: corpus, name: "a")
        try Data(repeating: 0x42, count: 8192).write(to: data.directory.appendingPathComponent(StoreSchema.fileName))
        expectError("corrupt") { try NGramStore(dataset: data) }
    }

    func testStoreOfAnotherVocabulary() throws {
        let corpus = try TemporaryCorpus()
        let a = try build(["abc", "abd"], in: corpus, name: "a")
        let other = try TemporaryCorpus()
        let b = try build(["xyz", "abc"], in: other, name: "b")
        let store = a.directory.appendingPathComponent(StoreSchema.fileName)
        try FileManager.default.removeItem(at: store)
        try FileManager.default.copyItem(at: b.directory.appendingPathComponent(StoreSchema.fileName), to: store)
        expectError("another vocabulary") { try NGramStore(dataset: a) }
    }

    func testLockedStore() throws {
        let corpus = try TemporaryCorpus()
        let data = try build(["abc", "abd"], in: corpus, name: "a")
        let path = data.directory.appendingPathComponent(StoreSchema.fileName).path
        // Another process holds an exclusive lock while writing.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [path]
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        input.fileHandleForWriting.write(Data("PRAGMA locking_mode = EXCLUSIVE;\nBEGIN EXCLUSIVE;\nINSERT INTO meta VALUES ('lock', 'held');\nSELECT 'locked';\n".utf8))
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("locked") { seen.append(output.fileHandleForReading.availableData) }
        expectError("locked") { try NGramStore(dataset: data, busyTimeout: 0.05) }
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        XCTAssertNoThrow(try NGramStore(dataset: data))
    }

    /// Runs SQL on a store with the sqlite3 shell.
    private func sqlite(_ path: String, _ sql: String) throws {
        _ = try TemporaryCorpus.output("/usr/bin/sqlite3", [path, sql])
    }

    func testStoreOfTheOlderRowPerNGramFormat() throws {
        let corpus = try TemporaryCorpus()
        let data = try build(["abc", "abd"], in: corpus, name: "a")
        let path = data.directory.appendingPathComponent(StoreSchema.fileName).path
        try FileManager.default.removeItem(atPath: path)
        // What format 1 wrote: one ngrams row per n-gram.
        try sqlite(path, """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE totals (n INTEGER PRIMARY KEY, occurrences INTEGER NOT NULL, distinct_ngrams INTEGER NOT NULL);
            CREATE TABLE ngrams (n INTEGER NOT NULL, key BLOB NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (n, key)) WITHOUT ROWID;
            INSERT INTO meta VALUES ('format', 'ttur-text ngrams 1'), ('max_n', '1'), ('vocab_sha256', '\(data.vocabulary.fingerprint)');
            INSERT INTO totals VALUES (1, 20, 1);
            INSERT INTO ngrams VALUES (1, x'0001', 20);
            """)
        expectError("rebuild it with `ttur-text prepare ngrams --data") { try NGramStore(dataset: data) }
        expectError("ttur-text ngrams 1") { try NGramStore(dataset: data) }
    }

    func testCorruptBlocks() throws {
        let cases = [
            "UPDATE ngram_blocks SET entries = entries + 1 WHERE n = 2",   // sizes disagree
            "UPDATE ngram_blocks SET block = 1 WHERE n = 3",               // a block missing
            "UPDATE ngram_blocks SET counts = zeroblob(length(counts)) WHERE n = 1",  // zero counts
            "UPDATE ngram_blocks SET keys = substr(keys, 3, 2) || substr(keys, 1, 2) || substr(keys, 5) WHERE n = 1",  // out of order
            "UPDATE ngram_blocks SET n = 7 WHERE n = 4",                   // an order the store lacks
            "UPDATE totals SET occurrences = occurrences + 1 WHERE n = 2", // totals disagree
        ]
        for sql in cases {
            let corpus = try TemporaryCorpus()
            let data = try build(["abc", "abd", "bca"], in: corpus, name: "a")
            // Without the table images, so that opening reads (and checks) every block.
            try sqlite(data.directory.appendingPathComponent(StoreSchema.fileName).path, "DELETE FROM table_images; " + sql)
            XCTAssertThrowsError(try NGramStore(dataset: data), sql) { error in
                XCTAssertTrue(error is LocatedError, "\(sql): \(error)")
                XCTAssertTrue("\(error)".contains("corrupt") || "\(error)".contains("inconsistent"), "\(sql): \(error)")
            }
        }
    }

    /// A table image that disagrees with its header or with the order's totals is refused;
    /// opening never hashes a damaged image into wrong counts.
    func testCorruptTableImages() throws {
        let cases = [
            "UPDATE table_image_parts SET words = zeroblob(length(words)) WHERE n = 2",        // every slot empty
            "UPDATE table_image_parts SET words = substr(words, 9) || x'0000000000000000' WHERE n = 2",  // slots shifted
            "UPDATE table_images SET slots = slots + 1 WHERE n = 3",                           // part sizes disagree
            "DELETE FROM table_image_parts WHERE n = 1",                                       // parts missing
            "UPDATE table_images SET overflow = x'01' WHERE n = 1",                            // a torn side table
            "UPDATE totals SET occurrences = occurrences + 1 WHERE n = 4",                     // totals disagree
        ]
        for sql in cases {
            let corpus = try TemporaryCorpus()
            let data = try build(["abc", "abd", "bca"], in: corpus, name: "a")
            XCTAssertEqual(try NGramStore(dataset: data).imageOrders, [1, 2, 3, 4])
            try sqlite(data.directory.appendingPathComponent(StoreSchema.fileName).path, sql)
            XCTAssertThrowsError(try NGramStore(dataset: data), sql) { error in
                XCTAssertTrue(error is LocatedError, "\(sql): \(error)")
                XCTAssertTrue("\(error)".contains("corrupt") || "\(error)".contains("inconsistent"), "\(sql): \(error)")
                XCTAssertFalse("\(error)".contains("\n"), "\(sql): \(error)")
            }
        }
    }

    func testSampleIDsOutsideTheVocabulary() throws {
        let corpus = try TemporaryCorpus()
        let data = try build(["abc", "abd"], in: corpus, name: "a")
        let store = try NGramStore(dataset: data)
        XCTAssertThrowsError(try store.jsd(samples: [[1, 2, 999]], maxN: 2)) { XCTAssertTrue("\($0)".contains("999")) }
        XCTAssertThrowsError(try store.jsd(samples: [[1, 2]], maxN: 6)) { XCTAssertTrue("\($0)".contains("1…4")) }
    }
}
