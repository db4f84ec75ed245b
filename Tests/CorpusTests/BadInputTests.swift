import Basics
import Corpus
import Foundation
import XCTest
import _TestSupport

/// Each bad input gives one error naming the file (and offset or line), and no output.
final class BadInputTests: XCTestCase {
    private var corpus: TemporaryCorpus!
    private var output: URL { corpus.root.appendingPathComponent("out") }

    override func setUpWithError() throws { corpus = try TemporaryCorpus() }
    override func tearDown() { corpus = nil }

    private func prepare() throws -> PreparedDataset {
        var options = PreparationOptions()
        options.unit = .codepoint
        options.maxLineBytes = 1 << 20
        return try CorpusPreparation.prepare(
            shards: try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train),
            name: "bad", output: output, options: options)
    }

    /// Runs `prepare()`, expects a ``LocatedError`` whose text contains every fragment, and
    /// checks nothing (not even a staging directory) was left beside the output.
    private func expectFailure(_ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try prepare(), file: file, line: line) { error in
            XCTAssertTrue(error is LocatedError, "\(error)", file: file, line: line)
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
            for fragment in fragments { XCTAssertTrue(text.contains(fragment), "\(text) lacks \(fragment)", file: file, line: line) }
        }
        XCTAssertEqual(corpus.entries(of: corpus.root), ["corpus"], file: file, line: line)
    }

    func testMissingDirectory() {
        XCTAssertThrowsError(try ShardDiscovery.shards(in: corpus.root.appendingPathComponent("nope"), split: .train)) {
            XCTAssertTrue("\($0)".contains("nope: no such directory"), "\($0)")
        }
    }

    func testDirectoryWithoutShards() throws {
        try Data("x\n".utf8).write(to: corpus.shardDirectory.appendingPathComponent("README"))
        expectFailure("corpus: no shards", "news.en-00001-of-00100")
    }

    func testEmptyShard() throws {
        try corpus.addShard(1, lines: ["fine"])
        try corpus.addShard(2, bytes: Data())
        expectFailure("news.en-00002-of-00100", "empty shard")
    }

    func testEmptyZstdShard() throws {
        try corpus.addShard(1, bytes: Data(), zstd: true)
        expectFailure("news.en-00001-of-00100.zst", "empty shard")
    }

    func testTruncatedZstdFrame() throws {
        let shard = try corpus.addShard(1, lines: (0..<2000).map { "sentence number \($0) with some text" }, zstd: true)
        let bytes = try Data(contentsOf: shard)
        try bytes.prefix(bytes.count - 100).write(to: shard)
        expectFailure("news.en-00001-of-00100.zst: byte \(bytes.count - 100)", "truncated zstd frame")
    }

    func testCorruptZstdFrame() throws {
        let shard = try corpus.addShard(1, lines: (0..<2000).map { "sentence number \($0) with some text" }, zstd: true)
        var bytes = try Data(contentsOf: shard)
        for i in 40..<80 { bytes[i] ^= 0x5A }
        try bytes.write(to: shard)
        expectFailure("news.en-00001-of-00100.zst: byte ", "corrupt zstd data")
    }

    func testPlainTextNamedZst() throws {
        try Data("just text\n".utf8).write(to: corpus.shardDirectory.appendingPathComponent("news.en-00001-of-00100.zst"))
        expectFailure("news.en-00001-of-00100.zst: byte 0", "not a zstd file")
    }

    func testInvalidUTF8IsReplacedAndCounted() throws {
        try corpus.addShard(1, bytes: Data([0x61, 0xFF, 0x62, 0x0A, 0xC3, 0x0A, 0xE2, 0x82, 0x0A, 0x63, 0x0A]))
        let dataset = try prepare()
        XCTAssertEqual(dataset.manifest.invalidUTF8Replaced, 3)
        XCTAssertTrue(dataset.vocabulary.units.contains("\u{FFFD}"))
        XCTAssertEqual(dataset.sentenceCount, 4)
    }

    func testTenMegabyteLine() throws {
        var text = Data("short line\n".utf8)
        text.append(Data(repeating: 0x61, count: 10_000_000))
        text.append(0x0A)
        try corpus.addShard(1, bytes: text, zstd: true)
        expectFailure("news.en-00001-of-00100.zst: line 2: byte 11", "longer than the limit")
    }

    func testUnwritableOutputDirectory() throws {
        try corpus.addShard(1, lines: ["fine"])
        let blocker = corpus.root.appendingPathComponent("file")
        try Data("not a directory".utf8).write(to: blocker)
        XCTAssertThrowsError(try CorpusPreparation.prepare(
            shards: try ShardDiscovery.shards(in: corpus.corpusDirectory, split: .train), name: "x",
            output: blocker.appendingPathComponent("out"))) { error in
            XCTAssertTrue("\(error)".contains("\(blocker.path): cannot create the output directory"), "\(error)")
        }
        XCTAssertEqual(corpus.entries(of: corpus.root), ["corpus", "file"])
    }

    func testExistingNonDatasetIsNeverReplaced() throws {
        try corpus.addShard(1, lines: ["fine"])
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: output.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try prepare()) { XCTAssertTrue("\($0)".contains("is not a prepared dataset"), "\($0)") }
        XCTAssertEqual(corpus.entries(of: output), ["notes.txt"])
    }

    /// A byte of `tokens.u16` changed after preparation, to another id inside the vocabulary
    /// (so the range check cannot see it), is caught by the manifest's block digests; a
    /// dataset prepared before they existed (no `tokens_sha256`) still opens.
    func testADamagedTokenInsideTheVocabularyIsCaughtByItsBlockDigest() throws {
        try corpus.addShard(1, lines: ["fine", "also fine", "and a third line"])
        let dataset = try prepare()
        let manifest = dataset.manifest
        XCTAssertEqual(manifest.tokensBlockBytes, Manifest.tokensBlockSize)
        XCTAssertEqual(manifest.tokensSHA256?.count, 1)
        let tokens = dataset.directory.appendingPathComponent(PreparedDataset.tokensName)
        let original = try Data(contentsOf: tokens)
        XCTAssertEqual(manifest.tokensSHA256, [SHA256.hex(SHA256.hash(data: original))], "one block: the file's own SHA-256")
        var damaged = original
        let position = 2 * 3  // the low byte of the fourth id: still inside the vocabulary after the change
        damaged[position] = damaged[position] == 1 ? 2 : 1
        XCTAssertLessThan(Int(damaged[position]), dataset.vocabulary.count)
        try damaged.write(to: tokens)
        XCTAssertThrowsError(try PreparedDataset(directory: dataset.directory)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(tokens.path): byte 0: corrupt: block 1 of 1"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }

        // Without digests (a round-2 dataset), the same file opens: no claim, as before.
        var legacy = manifest
        (legacy.tokensBlockBytes, legacy.tokensSHA256) = (nil, nil)
        try JSONEncoder().encode(legacy).write(to: dataset.directory.appendingPathComponent(PreparedDataset.manifestName))
        XCTAssertEqual(try PreparedDataset(directory: dataset.directory).sentenceCount, 3)
        // Digests that do not describe the file are the manifest's fault, and say so.
        var wrong = manifest
        wrong.tokensSHA256 = manifest.tokensSHA256! + ["00"]
        try JSONEncoder().encode(wrong).write(to: dataset.directory.appendingPathComponent(PreparedDataset.manifestName))
        XCTAssertThrowsError(try PreparedDataset(directory: dataset.directory)) {
            XCTAssertTrue("\($0)".contains("manifest.json: tokens_sha256 does not describe"), "\($0)")
        }
    }

    func testBlockDigestsAreEachBlocksSHA256() {
        let bytes = (0 ..< 1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let digests = bytes.withUnsafeBytes { SHA256.blockHexDigests($0, blockSize: 300, threads: 3) }
        XCTAssertEqual(digests, stride(from: 0, to: 1000, by: 300).map { SHA256.hex(SHA256.hash(data: bytes[$0 ..< min($0 + 300, 1000)])) })
        XCTAssertEqual(bytes.withUnsafeBytes { SHA256.blockHexDigests(UnsafeRawBufferPointer(rebasing: $0[0 ..< 0]), blockSize: 300) }, [])
    }

    func testTokensOfTheWrongSizeAreRejected() throws {
        try corpus.addShard(1, lines: ["fine", "also fine"])
        let dataset = try prepare()
        let tokens = dataset.directory.appendingPathComponent(PreparedDataset.tokensName)
        try Data(try Data(contentsOf: tokens).dropLast(2)).write(to: tokens)
        XCTAssertThrowsError(try PreparedDataset(directory: dataset.directory)) {
            XCTAssertTrue("\($0)".contains("tokens.u16: has"), "\($0)")
        }
    }
}
