import Basics
import Foundation

/// Word-level BLEU and self-BLEU of generated sentences, as Texygen scores text GANs and as
/// NLTK's `corpus_bleu` computes it (Papineni et al. 2002): clipped n-gram counts summed over
/// every hypothesis, uniform weights 1/n over orders 1…n, the brevity penalty from the closest
/// reference length (shorter on ties), and NLTK's smoothing method 1 (ε = 0.1 added to a zero
/// numerator). Self-BLEU scores each generated sentence against all the others — never
/// against itself (Texygen keeps it in its own references: Texygen issues #27, #46).
///
/// ```swift
/// let bleu = try BLEU.corpus(hypotheses: samples.map(BLEU.words), references: heldOut.map(BLEU.words))
/// print(bleu[4]!)   // BLEU-4
/// ```
public enum BLEU {
    /// The orders reported by default: BLEU-2 … BLEU-5.
    public static let defaultOrders = 2...5
    /// NLTK's `SmoothingFunction().method1` epsilon.
    public static let epsilon = 0.1

    /// A sentence's words: its whitespace-separated tokens (the benchmark is tokenized).
    public static func words(_ sentence: String) -> [String] {
        sentence.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map(String.init)
    }

    /// The word lists of the sentences that have words: what is scored (blank lines, which
    /// have none, are dropped).
    public static func wordLists(_ sentences: [String]) -> [[String]] {
        sentences.map(words).filter { !$0.isEmpty }
    }

    /// BLEU-n for each n in `orders`, every hypothesis against all of `references`.
    /// - throws: `LocatedError` when there are no hypotheses or no references.
    public static func corpus(hypotheses: [[String]], references: [[String]],
                              orders: ClosedRange<Int> = defaultOrders) throws -> [Int: Double] {
        guard !hypotheses.isEmpty else { throw LocatedError("BLEU: no samples") }
        guard !references.isEmpty else { throw LocatedError("BLEU: no references") }
        var interner = WordInterner()
        let hyps = hypotheses.map { interner.ids($0) }
        let refs = references.map { interner.ids($0) }
        let maxN = orders.upperBound
        // The largest count of each n-gram in any one reference.
        var largest = [[NGram: Int]](repeating: [:], count: maxN + 1)
        for ref in refs {
            for n in 1...maxN {
                for (gram, count) in counts(ref, n) where count > largest[n][gram, default: 0] { largest[n][gram] = count }
            }
        }
        let lengths = LengthSet(refs.map(\.count))
        return score(hyps, orders: orders,
                     clip: { _, n, gram in largest[n][gram] ?? 0 },
                     closestLength: { _, length in lengths.closest(to: length)! })
    }

    /// What `eval text` reports and `train --bleu-every` logs for word-split `hypotheses`
    /// (blank ones already dropped): BLEU against `references` and self-BLEU among them,
    /// the latter empty for a single hypothesis (it has no other to be scored against).
    public static func scores(hypotheses: [[String]], references: [[String]]) throws -> (bleu: [Int: Double], selfBLEU: [Int: Double]) {
        (try corpus(hypotheses: hypotheses, references: references),
         hypotheses.count >= 2 ? try selfBLEU(hypotheses) : [:])
    }

    /// Self-BLEU-n for each n in `orders`: corpus BLEU of the sentences, each with all the
    /// others (not itself) as its references.
    /// - throws: `LocatedError` for fewer than two sentences.
    public static func selfBLEU(_ sentences: [[String]], orders: ClosedRange<Int> = defaultOrders) throws -> [Int: Double] {
        guard sentences.count >= 2 else {
            throw LocatedError("self-BLEU: \(sentences.count) sample\(sentences.count == 1 ? "" : "s"); each needs at least one other as its reference")
        }
        var interner = WordInterner()
        let hyps = sentences.map { interner.ids($0) }
        let maxN = orders.upperBound
        // Per n-gram, the largest count in one sentence, how many sentences have it, and the
        // second largest: the largest among the others is then known for every sentence.
        var tops = [[NGram: Top]](repeating: [:], count: maxN + 1)
        var own = [[[NGram: Int]]](repeating: [], count: maxN + 1)
        for n in 1...maxN {
            own[n] = hyps.map { counts($0, n) }
            for sentence in own[n] {
                for (gram, count) in sentence { tops[n][gram, default: Top()].add(count) }
            }
        }
        let lengths = LengthSet(hyps.map(\.count))
        return score(hyps, orders: orders,
                     clip: { i, n, gram in tops[n][gram]!.largest(excluding: own[n][i][gram]!) },
                     closestLength: { i, length in lengths.closest(to: length, excludingOne: hyps[i].count)! })
    }

    /// NLTK's `corpus_bleu` over the hypotheses given how to clip an n-gram of hypothesis i
    /// (the largest count in any of its references) and its closest reference length.
    private static func score(_ hyps: [[Int32]], orders: ClosedRange<Int>, clip: (Int, Int, NGram) -> Int,
                              closestLength: (Int, Int) -> Int) -> [Int: Double] {
        let maxN = orders.upperBound
        var numerators = [Int](repeating: 0, count: maxN + 1)
        var denominators = [Int](repeating: 0, count: maxN + 1)
        var hypothesisLength = 0, referenceLength = 0
        for (i, hyp) in hyps.enumerated() {
            for n in 1...maxN {
                var total = 0
                for (gram, count) in counts(hyp, n) {
                    numerators[n] += min(count, clip(i, n, gram))
                    total += count
                }
                // NLTK: max(1, number of n-grams), so a sentence shorter than n still counts one.
                denominators[n] += max(1, total)
            }
            hypothesisLength += hyp.count
            referenceLength += closestLength(i, hyp.count)
        }
        var out: [Int: Double] = [:]
        for order in orders {
            guard numerators[1] > 0 else { out[order] = 0; continue }
            let penalty = hypothesisLength > referenceLength ? 1
                : hypothesisLength == 0 ? 0 : exp(1 - Double(referenceLength) / Double(hypothesisLength))
            var logSum = 0.0
            for n in 1...order {
                let precision = numerators[n] == 0 ? epsilon / Double(denominators[n])
                    : Double(numerators[n]) / Double(denominators[n])
                logSum += log(precision) / Double(order)
            }
            out[order] = penalty * exp(logSum)
        }
        return out
    }

    typealias NGram = [Int32]

    /// The n-grams of a word-id sentence with their counts (none when it is shorter than n).
    static func counts(_ words: [Int32], _ n: Int) -> [NGram: Int] {
        guard words.count >= n else { return [:] }
        var out: [NGram: Int] = [:]
        for start in 0...(words.count - n) { out[Array(words[start ..< start + n]), default: 0] += 1 }
        return out
    }

    /// The largest and second-largest count of one n-gram over sentences, and how many hold the largest.
    private struct Top {
        var first = 0, holders = 0, second = 0
        mutating func add(_ count: Int) {
            if count > first { (second, first, holders) = (first, count, 1) }
            else if count == first { holders += 1 }
            else if count > second { second = count }
        }
        /// The largest count among the other sentences, given this sentence's own count.
        func largest(excluding own: Int) -> Int { own == first && holders == 1 ? second : first }
    }

    /// Word ids, assigned in order of first appearance.
    struct WordInterner {
        var ids: [String: Int32] = [:]
        mutating func ids(_ words: [String]) -> [Int32] {
            words.map { word in
                if let id = ids[word] { return id }
                let id = Int32(ids.count)
                ids[word] = id
                return id
            }
        }
    }

    /// Reference lengths, for NLTK's `closest_ref_length`: nearest, the shorter on a tie.
    private struct LengthSet {
        let sorted: [Int]
        let multiplicity: [Int: Int]
        init(_ lengths: [Int]) {
            multiplicity = Dictionary(lengths.map { ($0, 1) }, uniquingKeysWith: +)
            sorted = multiplicity.keys.sorted()
        }

        /// The closest length, leaving out one occurrence of `excludingOne` (a hypothesis's own).
        func closest(to length: Int, excludingOne excluded: Int? = nil) -> Int? {
            func available(_ value: Int) -> Bool { multiplicity[value]! - (value == excluded ? 1 : 0) > 0 }
            // First index whose length is ≥ `length`, then the nearest available on each side.
            var low = 0, high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < length { low = middle + 1 } else { high = middle }
            }
            var above = low
            while above < sorted.count && !available(sorted[above]) { above += 1 }
            var below = low - 1
            while below >= 0 && !available(sorted[below]) { below -= 1 }
            switch (below >= 0 ? sorted[below] : nil, above < sorted.count ? sorted[above] : nil) {
            case let (.some(b), .some(a)): return length - b <= a - length ? b : a
            case let (.some(b), nil): return b
            case let (nil, .some(a)): return a
            case (nil, nil): return nil
            }
        }
    }
}
