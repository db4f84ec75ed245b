import Basics
import Foundation

/// MS-Jaccard (Montahaei, Alihosseini & Soleymani Baghshah 2019, "Jointly Measuring Diversity
/// and Quality in Text Generation Models", §3): how much the n-gram multisets of the samples
/// and of the references overlap, quality and diversity in one number. For each order k the
/// two sets' k-gram counts are divided by their own numbers of sentences, and
/// J_k = Σ_g min(c_S(g), c_R(g)) / Σ_g max(c_S(g), c_R(g)); MS-Jaccard-n is the geometric mean
/// of J_1 … J_n. Words are whitespace tokens, as for BLEU. `scripts/text_metrics_reference.py`
/// computes the same from the definition, for the tests.
///
/// ```swift
/// let scores = MSJaccard.scores(samples: BLEU.wordLists(samples), references: BLEU.wordLists(heldOut))
/// print(scores[4]!)   // MS-Jaccard-4
/// ```
public enum MSJaccard {
    /// The orders reported by default, as the issue and the paper's tables: 2 … 5.
    public static let defaultOrders = 2...5

    /// J_1 … J_maxN (index k − 1); nil for an order where neither set has a k-gram.
    public static func jaccard(samples: [[String]], references: [[String]], maxN: Int) -> [Double?] {
        var interner = BLEU.WordInterner()
        let sampleIDs = samples.map { interner.ids($0) }, referenceIDs = references.map { interner.ids($0) }
        return (1...maxN).map { k in
            let s = normalizedCounts(sampleIDs, k), r = normalizedCounts(referenceIDs, k)
            var shared = 0.0, union = 0.0
            for (gram, count) in s {
                let other = r[gram] ?? 0
                shared += min(count, other)
                union += max(count, other)
            }
            for (gram, count) in r where s[gram] == nil { union += count }
            return union > 0 ? shared / union : nil
        }
    }

    /// MS-Jaccard-n for each n in `orders`: the geometric mean of J_1 … J_n (nil where one of
    /// them is undefined; 0 where one is 0).
    public static func scores(samples: [[String]], references: [[String]],
                              orders: ClosedRange<Int> = defaultOrders) -> [Int: Double?] {
        let values = jaccard(samples: samples, references: references, maxN: orders.upperBound)
        var out: [Int: Double?] = [:]
        for n in orders {
            let first = values.prefix(n)
            if first.contains(where: { $0 == nil }) { out[n] = .some(nil); continue }
            let logs = first.map { Foundation.log($0!) }
            out[n] = .some(Foundation.exp(logs.reduce(0, +) / Double(n)))
        }
        return out
    }

    /// Each k-gram's count over the sentences divided by the number of sentences.
    private static func normalizedCounts(_ sentences: [[Int32]], _ k: Int) -> [BLEU.NGram: Double] {
        var counts: [BLEU.NGram: Int] = [:]
        for sentence in sentences {
            for (gram, count) in BLEU.counts(sentence, k) { counts[gram, default: 0] += count }
        }
        let size = Double(max(sentences.count, 1))
        return counts.mapValues { Double($0) / size }
    }
}
