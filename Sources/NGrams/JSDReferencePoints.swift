import Basics
import Corpus
import Foundation

/// What an n-gram JSD means at a sample size, measured on the same statistics: the score of
/// as many real sentences (the floor a perfect generator would reach, held-out ones when the
/// dataset has them) and of two trivial outputs — that many empty lines (all padding, which
/// the paper's JSD counts: on a corpus of short sentences an empty output scores well) and
/// that many copies of the corpus's commonest sentence.
///
/// ```swift
/// let points = try JSDReferencePoints(store: store, sentences: SentenceIndex(dataset),
///                                     real: heldOut, count: 640, maxN: 6)
/// print(points.real[4]!, points.empty[4]!, points.commonest[4]!)
/// ```
public struct JSDReferencePoints: Sendable {
    /// `count` real sentences (drawn without replacement, seeded; all of them when fewer).
    public let real: [Int: Double]
    /// How many real sentences were scored.
    public let realCount: Int
    /// `count` empty lines.
    public let empty: [Int: Double]
    /// `count` copies of the commonest training sentence.
    public let commonest: [Int: Double]
    public let commonestSentence: String

    /// - throws: ``LocatedError`` from the store, or when there are no real sentences.
    public init(store: NGramStore, sentences: SentenceIndex, real lines: [String], count: Int, maxN: Int, seed: UInt64 = 0) throws {
        let dataset = sentences.dataset
        guard !lines.isEmpty, let commonestRow = sentences.commonest?.row else {
            throw LocatedError(file: dataset.directory.path, "no real sentences to score for the JSD floor")
        }
        var random = RandomSource(seed: seed)
        var pool = lines
        for i in 0..<min(count, pool.count) { pool.swapAt(i, i + random.nextInt(below: pool.count - i)) }
        let drawn = Array(pool.prefix(count))
        let length = dataset.sequenceLength
        real = try store.jsd(samples: try dataset.vocabulary.encode(lines: drawn, length: length), maxN: maxN)
        realCount = drawn.count
        empty = try store.jsd(samples: Array(repeating: dataset.encode(line: ""), count: count), maxN: maxN)
        let row = Array(dataset.sentence(commonestRow))
        commonest = try store.jsd(samples: Array(repeating: row, count: count), maxN: maxN)
        commonestSentence = dataset.vocabulary.decode(ids: row)
    }
}
