import Basics
import Corpus
import Foundation

/// How new generated sentences are against the sentences a GAN trained on: the share of
/// samples that occur verbatim among them, and the share of the samples' words that are no
/// word of theirs (a text GAN that copies scores well on n-gram metrics; one that writes
/// non-words shows here). Everything is compared as the dataset holds it: samples are
/// encoded with its vocabulary and cut to its sequence length.
///
/// Words are the maximal runs of units between whitespace units and padding (each unit is a
/// word in a dataset of word units). A sentence that fills its whole row may have been cut
/// inside its last word, so that last word is not counted, in the training sentences and in
/// the samples alike.
/// Sentences are compared exactly; words by a 64-bit hash of their unit ids (a collision
/// among a million distinct words has probability ~3·10⁻⁸).
///
/// ```swift
/// let novelty = TextNovelty(dataset: dataset)
/// let shares = novelty.shares(of: samples)   // (copied: 0.02, unknownWords: 0.31)
/// ```
public struct TextNovelty: Sendable {
    private var dataset: PreparedDataset { sentences.dataset }
    /// The training sentences.
    public let sentences: SentenceIndex
    private let words: Set<Int>
    private let separators: Set<TokenID>
    private let padding: TokenID?

    /// Indexes the dataset's sentences and words (two passes over `tokens.u16`).
    public init(dataset: PreparedDataset) {
        sentences = SentenceIndex(dataset)
        let vocabulary = dataset.vocabulary
        padding = vocabulary.padding
        separators = vocabulary.unit == .word ? [] : Set(vocabulary.units.indices.filter { id in
            id != Int(Vocabulary.unknown) && vocabulary.units[id].allSatisfy(\.isWhitespace)
        }.map { TokenID($0) })
        var words = Set<Int>()
        for index in 0..<dataset.sentenceCount {
            let row = dataset.sentence(index)
            let full = padding.map { row.last != $0 } ?? true
            let found = Self.wordHashes(row, separators: separators, padding: padding, isWordUnit: vocabulary.unit == .word)
            words.formUnion(full ? found.dropLast() : found[...])
        }
        self.words = words
    }

    /// The share of `samples` that are training sentences, and the share of their words that
    /// are not words of the training sentences (nil without words).
    public func shares(of samples: [String]) -> (copied: Double, unknownWords: Double?) {
        var copied = 0, total = 0, unknown = 0
        for line in samples {
            let row = dataset.encode(line: line)
            if sentences.contains(row) { copied += 1 }
            let found = Self.wordHashes(row, separators: separators, padding: padding, isWordUnit: dataset.vocabulary.unit == .word)
            for word in (padding.map { row.last != $0 } ?? true) ? found.dropLast() : found[...] {
                total += 1
                if !words.contains(word) { unknown += 1 }
            }
        }
        return (Double(copied) / Double(max(samples.count, 1)), total > 0 ? Double(unknown) / Double(total) : nil)
    }

    /// The hashes of a row's words, in order.
    private static func wordHashes<C: Collection>(_ row: C, separators: Set<TokenID>, padding: TokenID?,
                                                  isWordUnit: Bool) -> [Int] where C.Element == TokenID {
        var out: [Int] = []
        var hasher = Hasher(), length = 0
        for id in row {
            let boundary = id == padding || separators.contains(id)
            if isWordUnit || boundary {
                if length > 0 { out.append(hasher.finalize()); hasher = Hasher(); length = 0 }
                if isWordUnit && !boundary { var one = Hasher(); one.combine(id); out.append(one.finalize()) }
                continue
            }
            hasher.combine(id)
            length += 1
        }
        if length > 0 { out.append(hasher.finalize()) }
        return out
    }
}
