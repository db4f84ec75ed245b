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
            XCTAssertTrue(error is NGramError, "\(error)", file: file, line: line)
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

    func testSampleIDsOutsideTheVocabulary() throws {
        let corpus = try TemporaryCorpus()
        let data = try build(["abc", "abd"], in: corpus, name: "a")
        let store = try NGramStore(dataset: data)
        XCTAssertThrowsError(try store.jsd(samples: [[1, 2, 999]], maxN: 2)) { XCTAssertTrue("\($0)".contains("999")) }
        XCTAssertThrowsError(try store.jsd(samples: [[1, 2]], maxN: 6)) { XCTAssertTrue("\($0)".contains("1…4")) }
    }
}
