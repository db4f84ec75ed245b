import Basics
import Foundation

/// How a corpus is turned into a prepared dataset. The defaults are the anchor's.
public struct PreparationOptions: Sendable {
    /// How lines are split into units.
    public var unit: UnitKind = .grapheme
    /// Units per sentence: longer sentences are cut, shorter ones padded with `` ` ``.
    public var sequenceLength = 32
    /// At most this many sentences are read, in shard order.
    public var maxExamples = 10_000_000
    /// Vocabulary size, `unk` included.
    public var maxVocabulary = 2048
    /// Seed of the sentence shuffle.
    public var seed: UInt64 = 0
    /// A longer line is an error (a binary file, a missing newline conversion).
    public var maxLineBytes = 1 << 20

    public init() {}
}

/// Where preparation is, for a progress display.
public struct PreparationProgress: Sendable {
    /// Bytes of the shard files read, and their total size.
    public var fileBytesRead: Int
    public var fileBytesTotal: Int
    /// Uncompressed text bytes read.
    public var textBytes: Int
    public var sentences: Int
    public var elapsed: Double
    /// The shard being read, or a phase name once reading is done.
    public var stage: String
}

/// `ttur-text prepare corpus`: shards → units → vocabulary → shuffled, encoded sentences.
public enum CorpusPreparation {
    /// Prepares `shards` (read in the given order) into the dataset directory `output`.
    ///
    /// Writes `manifest.json`, `tokens.u16` and `vocab.tsv` into a staging sibling of
    /// `output`, calls `finishing` with the staging directory (to add derived files such as
    /// `ngrams.sqlite`), then renames it into place; on any error the staging directory is
    /// removed and `output` is left as it was.
    ///
    /// ```swift
    /// let shards = try ShardDiscovery.shards(in: corpus, split: .train)
    /// let dataset = try CorpusPreparation.prepare(shards: shards, name: "sample", output: out)
    /// ```
    /// - throws: ``LocatedError`` naming the file (and byte offset or line) that is wrong,
    ///   or whatever `finishing` throws.
    @discardableResult
    public static func prepare(shards: [URL], name: String, output: URL,
                               options: PreparationOptions = PreparationOptions(),
                               progress: ((PreparationProgress) -> Void)? = nil,
                               finishing: ((URL) throws -> Void)? = nil) throws -> PreparedDataset {
        guard !shards.isEmpty else { throw LocatedError(file: output.path, "no shards to prepare") }
        let staged = try StagedDirectory(destination: output)
        do {
            try write(shards: shards, name: name, into: staged.staging, options: options, progress: progress)
            try finishing?(staged.staging)
            try staged.commit()
        } catch {
            staged.discard()
            throw error
        }
        return try PreparedDataset(directory: staged.destination)
    }

    @discardableResult
    private static func write(shards: [URL], name: String, into directory: URL, options: PreparationOptions,
                              progress: ((PreparationProgress) -> Void)?) throws -> Manifest {
        let started = Date()
        let reader = try CorpusReader(shards: shards, options: options)
        try reader.read { reading in
            progress?(PreparationProgress(
                fileBytesRead: reading.fileBytesRead, fileBytesTotal: reader.fileBytesTotal,
                textBytes: reading.textBytes, sentences: reading.sentences,
                elapsed: Date().timeIntervalSince(started), stage: reading.stage))
        }

        let (vocabulary, mapping) = reader.vocabulary()
        let unkUnits = vocabulary.counts[0]
        let tokensURL = directory.appendingPathComponent("tokens.u16")
        var tokenDigests: [String] = []
        try reader.rows.finish(mapping: mapping, seed: options.seed) { bytes in
            tokenDigests = SHA256.blockHexDigests(bytes, blockSize: Manifest.tokensBlockSize)
            try writeAtomically(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!),
                                     count: bytes.count, deallocator: .none), to: tokensURL)
        }
        try writeAtomically(Data(vocabulary.tsv.utf8), to: directory.appendingPathComponent("vocab.tsv"))

        let manifest = Manifest(
            name: name, sentences: reader.rows.count, seqLen: options.sequenceLength,
            vocabSize: vocabulary.count, unit: options.unit, padding: Vocabulary.paddingUnit,
            sources: reader.sources,
            options: .init(maxExamples: options.maxExamples, maxVocab: options.maxVocabulary,
                           seed: options.seed, maxLineBytes: options.maxLineBytes),
            invalidUTF8Replaced: reader.invalidUTF8, unkUnits: unkUnits,
            truncatedSentences: reader.truncated, vocabSHA256: vocabulary.fingerprint,
            tokensBlockBytes: Manifest.tokensBlockSize, tokensSHA256: tokenDigests)
        try writeAtomically(try Manifest.encoder.encode(manifest) + Data("\n".utf8),
                            to: directory.appendingPathComponent("manifest.json"))
        progress?(PreparationProgress(
            fileBytesRead: reader.fileBytesTotal, fileBytesTotal: reader.fileBytesTotal,
            textBytes: reader.textBytes, sentences: reader.rows.count,
            elapsed: Date().timeIntervalSince(started), stage: "written"))
        return manifest
    }
}

extension Manifest {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
