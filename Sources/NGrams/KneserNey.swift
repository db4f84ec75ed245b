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
    private static let start: UInt32 = 0, end: UInt32 = 1, unknown: UInt32 = 2
    /// Units seen in training (their scalar values); any other is the unknown unit.
    private var seen = Set<UInt32>()
    /// c(h w) of every gram of length ≤ order, c(h•) and N₁₊(h•) of every context.
    private var counts: [Key: Int] = [:], contextTotals: [Key: Int] = [:], distinctFollowers: [Key: Int] = [:]
    /// N₁₊(•hw) of each suffix (h, w) and N₁₊(•h•) of each middle h.
    private var continuation: [Key: Int] = [:], continuationTotals: [Key: Int] = [:]

    /// An n-gram of at most 6 units, each 21 bits (a scalar value, or a marker, plus one so
    /// that no unit is 0 and grams of different lengths never meet).
    struct Key: Hashable, Sendable {
        var high: UInt64 = 0, low: UInt64 = 0
        init<C: Collection>(_ units: C) where C.Element == UInt32 {
            for unit in units {
                high = high << 21 | low >> 43
                low = low << 21 | UInt64(unit + 1)
            }
        }
    }

    /// A model of `sentences`.
    public init(order: Int, discount: Double = 0.1, sentences: [String]) {
        precondition(order >= 2, "order 1 has no bigrams: its unigram continuation counts are undefined (NLTK divides by zero)")
        precondition(order <= 6, "n-grams of up to 6 units")
        precondition((0...1).contains(discount))
        self.order = order
        self.discount = discount
        for sentence in sentences { seen.formUnion(sentence.unicodeScalars.map { $0.value + 3 }) }
        for sentence in sentences {
            let padded = padded(sentence)
            for length in 1...order where padded.count >= length {
                for first in 0...(padded.count - length) {
                    let gram = padded[first ..< first + length]
                    let key = Key(gram), context = Key(gram.dropLast())
                    let previous = counts[key, default: 0]
                    counts[key] = previous + 1
                    contextTotals[context, default: 0] += 1
                    guard previous == 0 else { continue }
                    // A new distinct gram (u, h, w): one more follower of its context, and of
                    // length ≥ 2 one more continuation N₁₊(•hw) and N₁₊(•h•).
                    distinctFollowers[context, default: 0] += 1
                    if length >= 2 {
                        continuation[Key(gram.dropFirst()), default: 0] += 1
                        continuationTotals[Key(gram.dropFirst().dropLast()), default: 0] += 1
                    }
                }
            }
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
        return (0...(padded.count - order)).map { first in
            let p = probability(padded[first + order - 1], context: padded[first ..< first + order - 1])
            return p > 0 ? Foundation.log2(p) : nil
        }
    }

    private func probability(_ word: UInt32, context: ArraySlice<UInt32>) -> Double {
        if context.isEmpty {
            let total = continuationTotals[Key([UInt32]())] ?? 0
            return total > 0 ? Double(continuation[Key([word])] ?? 0) / Double(total) : 0
        }
        let contextKey = Key(context)
        guard let distinct = distinctFollowers[contextKey] else {
            return probability(word, context: context.dropFirst())
        }
        let gram = Key(context + [word])
        let (count, total): (Int, Int) = context.count == order - 1
            ? (counts[gram] ?? 0, contextTotals[contextKey]!)
            : (continuation[gram] ?? 0, continuationTotals[contextKey] ?? 0)
        guard total > 0 else { return probability(word, context: context.dropFirst()) }
        let alpha = max(Double(count) - discount, 0) / Double(total)
        let gamma = discount * Double(distinct) / Double(total)
        return alpha + gamma * probability(word, context: context.dropFirst())
    }

    /// The sentence's units between the padding; units never seen in training are the unknown unit.
    private func padded(_ sentence: String) -> [UInt32] {
        let pad = [UInt32](repeating: Self.start, count: order - 1)
        return pad + sentence.unicodeScalars.map { seen.contains($0.value + 3) ? $0.value + 3 : Self.unknown }
            + [UInt32](repeating: Self.end, count: order - 1)
    }
}
