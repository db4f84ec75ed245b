import Basics
import Foundation

#if _endian(big)
#error("tokens.u16 is little-endian and memory-mapped as is: big-endian hosts are not supported")
#endif

/// A prepared dataset directory (`manifest.json`, `tokens.u16`, `vocab.tsv`), opened for
/// reading, with its sentences memory-mapped.
///
/// ```swift
/// let dataset = try PreparedDataset(directory: URL(fileURLWithPath: "data/wordnet-examples"))
/// let first: UnsafeBufferPointer<TokenID> = dataset.sentence(0)   // sequenceLength ids
/// print(dataset.vocabulary.decode(ids: first))
/// ```
public final class PreparedDataset: @unchecked Sendable {
    /// The file names inside a dataset directory.
    public static let manifestName = "manifest.json"
    public static let tokensName = "tokens.u16"
    public static let vocabularyName = "vocab.tsv"

    /// The manifest and vocabulary, as read and checked at opening.
    public let header: DatasetHeader
    public var directory: URL { header.directory }
    public var manifest: Manifest { header.manifest }
    public var vocabulary: Vocabulary { header.vocabulary }
    /// Units per sentence (the manifest's `seq_len`).
    public var sequenceLength: Int { manifest.seqLen }
    /// Number of sentences.
    public var sentenceCount: Int { manifest.sentences }
    /// The dataset's name (its manifest's `name`).
    public var name: String { manifest.name }

    private let mapping: UnsafeMutableRawPointer?
    private let mappedBytes: Int

    /// Opens a prepared dataset and checks its sentences against the manifest's block
    /// digests where it has them (`checkingDigests: false` skips that: for measuring what
    /// the check costs).
    /// - throws: ``LocatedError`` naming the file that is missing, inconsistent or damaged.
    public init(directory: URL, checkingDigests: Bool = true) throws {
        let header = try DatasetHeader(directory: directory)
        self.header = header
        let manifest = header.manifest

        let tokensURL = directory.appendingPathComponent(Self.tokensName)
        let expected = manifest.sentences * manifest.seqLen * MemoryLayout<TokenID>.size
        let fd = open(tokensURL.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LocatedError(file: tokensURL.path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        fstat(fd, &status)
        guard Int(status.st_size) == expected else {
            throw LocatedError(file: tokensURL.path,
                              "has \(status.st_size) bytes, the manifest says \(manifest.sentences) × \(manifest.seqLen) × 2 = \(expected)")
        }
        mappedBytes = expected
        if expected == 0 {
            mapping = nil
        } else {
            let address = mmap(nil, expected, PROT_READ, MAP_PRIVATE, fd, 0)
            guard let address, address != MAP_FAILED else {
                throw LocatedError(file: tokensURL.path, "cannot memory-map: \(String(cString: strerror(errno)))")
            }
            mapping = address
        }
        if checkingDigests { try checkBlockDigests(tokensURL) }
        if let bad = firstOutOfRangeID() {
            throw LocatedError(file: tokensURL.path, offset: bad * 2, "token id outside the \(vocabulary.count)-unit vocabulary")
        }
    }

    /// Checks `tokens.u16` block by block against the manifest's SHA-256 digests (datasets
    /// prepared before round 3 have none and open without this check).
    /// - throws: ``LocatedError`` at the first damaged block's offset.
    private func checkBlockDigests(_ tokensURL: URL) throws {
        guard let expected = manifest.tokensSHA256 else { return }
        let manifestPath = directory.appendingPathComponent(Self.manifestName).path
        guard let blockSize = manifest.tokensBlockBytes, blockSize > 0,
              expected.count == (mappedBytes + blockSize - 1) / blockSize else {
            throw LocatedError(file: manifestPath, "tokens_sha256 does not describe \(mappedBytes) bytes in blocks of tokens_block_bytes")
        }
        let actual = SHA256.blockHexDigests(UnsafeRawBufferPointer(start: mapping, count: mappedBytes), blockSize: blockSize)
        if let block = expected.indices.first(where: { actual[$0] != expected[$0] }) {
            let end = min((block + 1) * blockSize, mappedBytes)
            throw LocatedError(file: tokensURL.path, offset: block * blockSize,
                              "corrupt: block \(block + 1) of \(expected.count) (bytes \(block * blockSize)–\(end - 1)) does not match its SHA-256 in \(Self.manifestName): the file was damaged after it was prepared")
        }
    }

    deinit {
        if let mapping { munmap(mapping, mappedBytes) }
    }

    /// All sentences, `sentenceCount × sequenceLength` ids in row order.
    public var tokens: UnsafeBufferPointer<TokenID> {
        UnsafeBufferPointer(start: mapping?.assumingMemoryBound(to: TokenID.self), count: mappedBytes / 2)
    }

    /// Sentence `index`'s ids (valid while the dataset lives).
    public func sentence(_ index: Int) -> UnsafeBufferPointer<TokenID> {
        precondition(index >= 0 && index < sentenceCount, "sentence \(index) of \(sentenceCount)")
        return UnsafeBufferPointer(rebasing: tokens[(index * sequenceLength)..<((index + 1) * sequenceLength)])
    }

    /// Encodes a line as the dataset's sentences were: ``Vocabulary/encode(line:length:)``
    /// with the dataset's sequence length.
    public func encode(line: String) -> [TokenID] {
        vocabulary.encode(line: line, length: sequenceLength)
    }

    private func firstOutOfRangeID() -> Int? {
        let limit = TokenID(truncatingIfNeeded: vocabulary.count)
        guard vocabulary.count < 65_536 else { return nil }
        let all = tokens
        for i in all.indices where all[i] >= limit { return i }
        return nil
    }
}

/// A prepared dataset's manifest and vocabulary, read and checked as ``PreparedDataset``
/// checks them, without mapping or reading its sentences: what scoring samples against the
/// dataset's statistics needs (`eval jsd` at 30 M sentences would otherwise page in 1.9 GB
/// of `tokens.u16` to check ids it never uses).
public struct DatasetHeader: Sendable {
    public let directory: URL
    public let manifest: Manifest
    public let vocabulary: Vocabulary
    /// Units per sentence (the manifest's `seq_len`).
    public var sequenceLength: Int { manifest.seqLen }

    /// - throws: ``LocatedError`` naming the manifest or vocabulary file that is missing or
    ///   inconsistent.
    public init(directory: URL) throws {
        self.directory = directory
        let manifestURL = directory.appendingPathComponent(PreparedDataset.manifestName)
        guard let manifestData = FileManager.default.contents(atPath: manifestURL.path) else {
            throw LocatedError(file: manifestURL.path, "missing: not a prepared dataset (run `ttur-text prepare corpus`)")
        }
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: manifestData)
        } catch {
            throw LocatedError(file: manifestURL.path, "not a dataset manifest: \(error)")
        }
        guard manifest.format == Manifest.currentFormat else {
            throw LocatedError(file: manifestURL.path, "format \"\(manifest.format)\", expected \"\(Manifest.currentFormat)\"")
        }
        let vocabularyURL = directory.appendingPathComponent(PreparedDataset.vocabularyName)
        guard let tsv = try? String(contentsOf: vocabularyURL, encoding: .utf8) else {
            throw LocatedError(file: vocabularyURL.path, "missing or not UTF-8")
        }
        vocabulary = try Vocabulary(tsv: tsv, unit: manifest.unit, path: vocabularyURL.path)
        guard vocabulary.count == manifest.vocabSize, vocabulary.fingerprint == manifest.vocabSHA256 else {
            throw LocatedError(file: vocabularyURL.path, "does not match the manifest's vocab_size/vocab_sha256")
        }
    }
}
