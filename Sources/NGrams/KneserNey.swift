import Basics
import Foundation

/// A character n-gram language model with interpolated Kneser–Ney smoothing, exactly as
/// NLTK's `nltk.lm.KneserNeyInterpolated(order, discount)` defines it (checked against NLTK
/// 3.10 to 1e-9 by `KneserNeyTests`, fixture from `scripts/kneser_ney_reference.py`), used to
/// score text-GAN samples as Semeniuta et al. ("On Accurate Evaluation of GANs for Language
/// Generation") ask: a model of real sentences scores the samples (quality), and a model of the
/// samples scores real sentences (the reverse LM: diversity and coverage).
///
/// Units are Unicode code points. Each sentence is padded with order − 1 `<s>` before and
/// order − 1 `</s>` after, and every 1…order-gram of it is counted. With d the discount,
/// c the counts, N₁₊ the number of distinct types:
/// - the highest order: P(w | h) = max(c(hw) − d, 0)/c(h•) + d·N₁₊(h•)/c(h•) · P(w | h′);
/// - lower orders use continuation counts: max(N₁₊(•hw) − d, 0)/N₁₊(•h•) + d·N₁₊(h•)/N₁₊(•h•) · P(w | h′);
/// - unigrams: N₁₊(•w)/N₁₊(••);
/// - a context never seen defers to the shorter one (α = 0, γ = 1), h′ being h without its
///   first unit. A unit never seen in training has probability 0 (NLTK has no uniform floor):
///   `score` counts such units apart instead of returning infinity. As in NLTK, the
///   probabilities after a context need not sum to exactly 1 (γ uses N₁₊(h•) over the
///   continuation total, and `<s>` keeps unigram mass): parity with NLTK is the contract here.
///
/// ```swift
/// let lm = KneserNey(order: 5, sentences: heldOut)
/// let quality = lm.score(samples)   // bits per unit, and how many units had probability 0
/// ```
public struct KneserNey: Sendable {
    public let order: Int
    public let discount: Double
    private var ids: [Unicode.Scalar: Int32] = [:]
    private static let start: Int32 = 0, end: Int32 = 1, unknown: Int32 = 2
    /// Per context (any length < order): its followers' counts c(h w), total c(h•), distinct N₁₊(h•).
    private var followers: [[Int32]: [Int32: Int]] = [:]
    private var followerTotals: [[Int32]: Int] = [:]
    /// Per (context, word) with context length < order − 1: N₁₊(•hw); per context: N₁₊(•h•).
    private var continuation: [[Int32]: Int] = [:]
    private var continuationTotals: [[Int32]: Int] = [:]

    /// A model of `sentences`.
    public init(order: Int, discount: Double = 0.1, sentences: [String]) {
        precondition(order >= 2, "order 1 has no bigrams: its unigram continuation counts are undefined (NLTK divides by zero)")
        precondition((0...1).contains(discount))
        self.order = order
        self.discount = discount
        var grams = Set<[Int32]>()
        for sentence in sentences {
            let padded = intern(sentence)
            for length in 1...order where padded.count >= length {
                for start in 0...(padded.count - length) {
                    let gram = Array(padded[start ..< start + length])
                    let context = Array(gram.dropLast())
                    followers[context, default: [:]][gram.last!, default: 0] += 1
                    followerTotals[context, default: 0] += 1
                    grams.insert(gram)
                }
            }
        }
        // Continuation counts: each distinct gram (u, h, w) of length ≥ 2 adds one to N₁₊(•hw) and to N₁₊(•h•).
        for gram in grams where gram.count >= 2 {
            continuation[Array(gram.dropFirst()), default: 0] += 1
            continuationTotals[Array(gram.dropFirst().dropLast()), default: 0] += 1
        }
    }

    /// The mean negative log₂ probability of every unit the model can score (each order-gram of
    /// the padded sentences, as NLTK's `entropy` over `ngrams(pad_both_ends(s, order), order)`),
    /// the number of units of probability 0 (never seen in training), and the units scored.
    public func score(_ sentences: [String]) -> (bitsPerUnit: Double, zeroProbability: Int, units: Int) {
        var sum = 0.0, finite = 0, zero = 0
        for sentence in sentences {
            for value in logScores(sentence) {
                if let value { sum -= value; finite += 1 } else { zero += 1 }
            }
        }
        return (finite > 0 ? sum / Double(finite) : .nan, zero, finite + zero)
    }

    /// The log₂ probability of each unit of `sentence` (and of its order − 1 end markers) given
    /// the order − 1 before it; nil for probability 0.
    public func logScores(_ sentence: String) -> [Double?] {
        let padded = padded(sentence)
        guard padded.count >= order else { return [] }
        return (0...(padded.count - order)).map { start in
            let p = probability(padded[start + order - 1], context: Array(padded[start ..< start + order - 1]))
            return p > 0 ? Foundation.log2(p) : nil
        }
    }

    private func probability(_ word: Int32, context: [Int32]) -> Double {
        if context.isEmpty {
            let total = continuationTotals[[]] ?? 0
            return total > 0 ? Double(continuation[[word]] ?? 0) / Double(total) : 0
        }
        guard let following = followers[context], !following.isEmpty else {
            return probability(word, context: Array(context.dropFirst()))
        }
        let distinct = Double(following.count)
        let (count, total): (Int, Int) = context.count == order - 1
            ? (following[word] ?? 0, followerTotals[context]!)
            : (continuation[context + [word]] ?? 0, continuationTotals[context] ?? 0)
        guard total > 0 else { return probability(word, context: Array(context.dropFirst())) }
        let alpha = max(Double(count) - discount, 0) / Double(total)
        let gamma = discount * distinct / Double(total)
        return alpha + gamma * probability(word, context: Array(context.dropFirst()))
    }

    /// The sentence's unit ids between the padding; units never seen in training are the unknown unit.
    private func padded(_ sentence: String) -> [Int32] {
        let pad = [Int32](repeating: Self.start, count: order - 1)
        return pad + sentence.unicodeScalars.map { ids[$0] ?? Self.unknown } + pad.map { _ in Self.end }
    }

    /// `padded`, giving new units ids (training).
    private mutating func intern(_ sentence: String) -> [Int32] {
        for scalar in sentence.unicodeScalars where ids[scalar] == nil { ids[scalar] = Int32(ids.count) + 3 }
        return padded(sentence)
    }
}
