import Basics
import Foundation

/// Generated sentences scored against real ones, every text metric that needs only the two
/// sets: word-level BLEU-2…5 and self-BLEU-2…5 (`BLEU`), MS-Jaccard-2…5 (`MSJaccard`), and the
/// Kneser–Ney character 5-gram models (`KneserNey`): the references' model on the samples
/// (quality) and the samples' model on the references (diversity, coverage). What `eval text`
/// reports and `eval sweep` plots.
///
/// ```swift
/// let scores = try TextScores(samples: generated, references: heldOut)
/// print(scores.bleu[4]!, scores.selfBLEU[4]!)   // quality against diversity
/// ```
public struct TextScores: Sendable {
    public let bleu: [Int: Double]
    /// nil entries where there is only one sample (it has no other to be scored against).
    public let selfBLEU: [Int: Double]
    public let msJaccard: [Int: Double?]
    public let languageModel: ModelScore
    public let reverseLanguageModel: ModelScore
    /// Non-blank samples and references scored by the word metrics.
    public let sampleCount: Int, referenceCount: Int

    /// One language model's score: bits per character over the characters it could score,
    /// and the share it gives probability 0 (characters it never saw).
    public struct ModelScore: Sendable {
        public let bitsPerCharacter: Double?
        public let unseenShare: Double
        init(_ score: (bitsPerUnit: Double, zeroProbability: Int, units: Int)) {
            bitsPerCharacter = score.bitsPerUnit.isNaN ? nil : score.bitsPerUnit
            unseenShare = Double(score.zeroProbability) / Double(max(score.units, 1))
        }
    }

    /// The character language models' order.
    public static let languageModelOrder = 5

    /// - throws: `LocatedError` when either set has no non-blank sentence.
    public init(samples: [String], references: [String]) throws {
        let hypotheses = BLEU.wordLists(samples), referenceWords = BLEU.wordLists(references)
        guard !hypotheses.isEmpty else { throw LocatedError("no samples to score (only blank lines)") }
        guard !referenceWords.isEmpty else { throw LocatedError("no references (only blank lines)") }
        (bleu, selfBLEU) = try BLEU.scores(hypotheses: hypotheses, references: referenceWords)
        msJaccard = MSJaccard.scores(samples: hypotheses, references: referenceWords)
        languageModel = ModelScore(KneserNey(order: Self.languageModelOrder, sentences: references).score(samples))
        reverseLanguageModel = ModelScore(KneserNey(order: Self.languageModelOrder, sentences: samples).score(references))
        (sampleCount, referenceCount) = (hypotheses.count, referenceWords.count)
    }

    /// The scores as `eval text --json`'s fields: bleuN, self_bleuN, msjaccardN, lm_…, reverse_lm_….
    public var fields: [(key: String, value: Double?)] {
        var out: [(key: String, value: Double?)] = []
        for n in BLEU.defaultOrders { out.append(("bleu\(n)", bleu[n])) }
        for n in BLEU.defaultOrders { out.append(("self_bleu\(n)", selfBLEU[n])) }
        for n in MSJaccard.defaultOrders { out.append(("msjaccard\(n)", msJaccard[n] ?? nil)) }
        out.append(("lm_bits_per_char", languageModel.bitsPerCharacter))
        out.append(("lm_unseen_share", languageModel.unseenShare))
        out.append(("reverse_lm_bits_per_char", reverseLanguageModel.bitsPerCharacter))
        out.append(("reverse_lm_unseen_share", reverseLanguageModel.unseenShare))
        return out
    }
}
