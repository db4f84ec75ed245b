import Basics
import Corpus
import Foundation
import NGrams
import Tensors

/// Quality against diversity over sampling temperatures (Caccia et al. 2020, "Language GANs
/// Falling Short"): the generator's samples at each temperature — the same noise for every
/// temperature, so 0 gives exactly `sample`'s argmax sentences — scored by `TextScores`
/// against real sentences. BLEU-4 (quality) against self-BLEU-4 (lower: more diverse) traces
/// one curve per model.
public enum QualityDiversitySweep {
    /// The default temperatures: the authors' argmax and five softmax temperatures.
    public static let defaultTemperatures: [Double] = [0, 0.5, 0.75, 1.0, 1.25, 1.5]

    /// One temperature's samples and their scores.
    public struct Point: Sendable {
        public let temperature: Double
        public let samples: [String]
        public let scores: TextScores
    }

    /// - Parameters:
    ///   - count: samples per temperature; drawn in batches of `batch` from `seed`'s noise.
    /// - throws: `LocatedError` when the references hold no words.
    public static func run(_ state: LanguageGANState, vocabulary: Vocabulary, references: [String], temperatures: [Double],
                           count: Int, batch: Int, seed: UInt64, progress: ((Double) -> Void)? = nil) throws -> [Point] {
        try temperatures.map { temperature in
            var random = RandomSource(seed: seed)
            let samples = state.generator.sampleTokenIDs(count: count, batch: batch, temperature: temperature, using: &random)
                .map { vocabulary.decode(ids: $0.map { TokenID($0) }) }
            progress?(temperature)
            return Point(temperature: temperature, samples: samples,
                         scores: try TextScores(samples: samples, references: references))
        }
    }
}
