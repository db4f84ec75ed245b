import Corpus
import Foundation

/// How varied one evaluation's samples are: the share of distinct sentences among them and
/// the share of the vocabulary's units (padding excluded) that they use.
public struct SampleDiversity: Equatable, Sendable {
    public var distinctSamples: Double
    public var distinctCharacters: Double

    /// - Parameters:
    ///   - samples: token ids of the generated sentences (at least one).
    ///   - vocabularySize: units in the vocabulary, padding included.
    ///   - padding: the padding unit's id, not counted as a character.
    public init(_ samples: [[TokenID]], vocabularySize: Int, padding: TokenID?) {
        distinctSamples = Double(Set(samples).count) / Double(max(samples.count, 1))
        var used = Set(samples.joined())
        if let padding { used.remove(padding) }
        let units = vocabularySize - (padding == nil ? 0 : 1)
        distinctCharacters = Double(used.count) / Double(max(units, 1))
    }
}

/// The language run's mode-collapse check, said once a run: an evaluation is suspect when
/// its distinct share of samples falls below ``minimumDistinctSamples``, or when its JSD-1
/// rises above the one at iteration 0 after an earlier evaluation had fallen below it (the
/// generator had learnt the corpus's unigrams and lost them to a few units, or to padding).
/// JSD-1 above iteration 0's before any fall is every run's first phase — seven of seven
/// small-preset runs measured it at iteration 100, including runs that went on to learn —
/// and is not warned about.
public enum ModeCollapse {
    /// Below this share of distinct samples (of 640, 64) an evaluation is suspect. The
    /// untrained generator's samples are all distinct; a collapsed one repeats a handful.
    public static let minimumDistinctSamples = 0.1

    /// The warning for `entry`, or nil when it looks healthy or an earlier evaluation of the
    /// run (oldest first) was already warned about.
    public static func warning(for entry: LanguageLogEntry, earlier: [LanguageLogEntry]) -> String? {
        guard !earlier.contains(where: { $0.warning != nil }) else { return nil }
        var reasons: [String] = []
        if let distinct = entry.distinctSamples, distinct < minimumDistinctSamples {
            reasons.append(String(format: "%.1f%% of the samples distinct (below %.0f%%)", 100 * distinct,
                                  100 * minimumDistinctSamples))
        }
        if let start = earlier.first(where: { $0.iteration == 0 })?.jsd["1"], let now = entry.jsd["1"], now > start,
           let lowest = earlier.compactMap({ $0.jsd["1"] }).min(), lowest < start {
            reasons.append(String(format: "JSD-1 %.4f back above iteration 0's %.4f (it had reached %.4f)", now, start, lowest))
        }
        guard !reasons.isEmpty else { return nil }
        let characters = entry.distinctCharacters.map { String(format: "; %.1f%% of the characters used", 100 * $0) } ?? ""
        return "mode collapse suspected at iteration \(entry.iteration): " + reasons.joined(separator: ", ") + characters
    }
}
