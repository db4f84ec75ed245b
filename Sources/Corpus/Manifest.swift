import Basics
/// `manifest.json` of a prepared dataset: what it holds and how it was made.
public struct Manifest: Codable, Sendable, Equatable {
    /// One source shard as read.
    public struct Source: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var sha256: String
    }

    /// The options the dataset was prepared with.
    public struct Options: Codable, Sendable, Equatable {
        public var maxExamples: Int
        public var maxVocab: Int
        public var seed: UInt64
        public var maxLineBytes: Int

        enum CodingKeys: String, CodingKey {
            case maxExamples = "max_examples", maxVocab = "max_vocab", seed, maxLineBytes = "max_line_bytes"
        }
    }

    /// Identifies the file format.
    public var format = Manifest.currentFormat
    public var name: String
    public var sentences: Int
    public var seqLen: Int
    public var vocabSize: Int
    public var unit: UnitKind
    public var padding: String
    public var sources: [Source]
    public var options: Options
    /// Invalid UTF-8 sequences replaced by U+FFFD.
    public var invalidUTF8Replaced: Int
    /// Units (padding included) that fell outside the vocabulary and became `unk`.
    public var unkUnits: Int
    /// Sentences longer than `seq_len` units, cut.
    public var truncatedSentences: Int
    /// ``Vocabulary/fingerprint`` of `vocab.tsv`.
    public var vocabSHA256: String
    /// `tokens.u16` in blocks of this many bytes, each with its SHA-256 in `tokensSHA256`
    /// (checked when the sentences are opened); absent in datasets prepared before round 3,
    /// which open without that check.
    public var tokensBlockBytes: Int?
    public var tokensSHA256: [String]?

    /// The block size of `tokens_sha256`: 16 MiB, so a 10 M-sentence dataset (640 MB) has 40
    /// blocks to hash in parallel and a mismatch is located to within 16 MiB.
    public static let tokensBlockSize = 16 << 20

    public static let currentFormat = "ttur-text prepared dataset 1"

    enum CodingKeys: String, CodingKey {
        case format, name, sentences, seqLen = "seq_len", vocabSize = "vocab_size", unit, padding,
             sources, options, invalidUTF8Replaced = "invalid_utf8_replaced", unkUnits = "unk_units",
             truncatedSentences = "truncated_sentences", vocabSHA256 = "vocab_sha256",
             tokensBlockBytes = "tokens_block_bytes", tokensSHA256 = "tokens_sha256"
    }
}
