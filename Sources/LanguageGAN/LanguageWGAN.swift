import Corpus
import Foundation
import NGrams
import Tensors
import TrainingRuns

/// One line of a language run's `log.jsonl`.
public struct LanguageLogEntry: LoggedEvaluation, Equatable, Sendable {
    public var iteration: Int
    /// Training wall-clock seconds since the run started, evaluation excluded.
    public var seconds: Double
    public var criticLoss: Double?
    public var genLoss: Double?
    public var wasserstein: Double?
    public var gradientPenalty: Double?
    /// n-gram JSD keyed "1"…"N".
    public var jsd: [String: Double]
    /// The JSD over the n-grams that are not all padding, keyed as `jsd` (the selection score;
    /// absent in runs made before it, and where the vocabulary has no padding unit).
    public var jsdNonPadding: [String: Double]? = nil
    /// The share of distinct samples, and of the vocabulary's units they use (``SampleDiversity``).
    public var distinctSamples: Double? = nil
    public var distinctCharacters: Double? = nil
    /// "mode collapse suspected …", at the first evaluation that looks so (``ModeCollapse``).
    public var warning: String? = nil
    public var selection: Selection? = nil
    /// With `--bleu-every`: word-level BLEU of the samples against the references and
    /// self-BLEU among them, keyed "2"…"5" (absent at other evaluations), with MS-Jaccard
    /// keyed the same way and the Kneser–Ney language models' bits per character: what
    /// `eval text` reports for the evaluation's samples file (``TextScores``).
    public var bleu: [String: Double]? = nil
    public var selfBLEU: [String: Double]? = nil
    public var msJaccard: [String: Double]? = nil
    public var languageModel: [String: Double]? = nil

    enum CodingKeys: String, CodingKey {
        case iteration, seconds, jsd, wasserstein, bleu, selfBLEU = "self_bleu", msJaccard = "msjaccard"
        case languageModel = "language_model"
        case criticLoss = "critic_loss", genLoss = "gen_loss", gradientPenalty = "gradient_penalty"
        case jsdNonPadding = "jsd_nonpadding", distinctSamples = "distinct_samples"
        case distinctCharacters = "distinct_characters", warning, selection
    }
}

/// What a language run trains and evaluates on: the prepared sentences and their n-gram
/// statistics (which only the evaluating process, rank 0 of an MPI job, opens).
public struct LanguageTrainingData {
    public let dataset: PreparedDataset
    public let store: NGramStore?
    /// Reference sentences for the text metrics (rank 0 of a run with `--bleu-every`).
    public let references: [String]?

    public init(dataset: PreparedDataset, store: NGramStore?, references: [String]? = nil) {
        self.dataset = dataset
        self.store = store
        self.references = references
    }

    /// `dataset` with what the evaluating process (rank 0 of an MPI job) adds: its n-gram
    /// store, scoring with `evaluationThreads`, and with `bleuEvery` at most
    /// `bleuReferenceLimit` word-split BLEU references.
    /// - Parameter maxNGram: the order the run scores; nil skips the check (a resumed run's
    ///   store was checked when it started).
    /// - throws: `LocatedError` when the store's order is below `maxNGram` or there are no
    ///   BLEU references; the store's and the references' own errors.
    public static func open(_ dataset: PreparedDataset, maxNGram: Int?, bleuEvery: Int?, bleuReferenceLimit: Int,
                            evaluationThreads: Int) throws -> LanguageTrainingData {
        guard Collectives.current.rank == 0 else { return LanguageTrainingData(dataset: dataset, store: nil) }
        let store = try NGramStore(dataset: dataset)
        store.evaluationThreads = evaluationThreads
        if let maxNGram, maxNGram > store.maxN {
            throw LocatedError(file: dataset.directory.path, "holds n-gram statistics up to order \(store.maxN), not \(maxNGram): rebuild them with `ttur-text prepare ngrams --data \(dataset.directory.path) --ngram \(maxNGram)`")
        }
        guard bleuEvery != nil else { return LanguageTrainingData(dataset: dataset, store: store) }
        let references = try ReferenceSentences.load(for: dataset, limit: bleuReferenceLimit).sentences
        guard !BLEU.wordLists(references).isEmpty else { throw LocatedError(file: dataset.directory.path, "no BLEU references (no held-out shards and no sentences)") }
        return LanguageTrainingData(dataset: dataset, store: store, references: references)
    }
}

/// The paper's language experiment as a GAN for the training loop: each iteration a
/// generator step (from the second iteration on), then the critic steps, each on a fresh
/// batch of real sentences and fresh noise; evaluated by the n-gram JSD of 640 samples.
public final class LanguageWGAN: StatefulGAN {
    public static let kind = "language-wgan-gp"
    public static let sampleExtension = "txt"

    public let configuration: LanguageConfiguration
    public let state: LanguageGANState
    public let data: LanguageTrainingData

    /// - throws: `LocatedError` when the dataset's vocabulary or sentence length differ from
    ///   the configuration's.
    public init(configuration: LanguageConfiguration, context data: LanguageTrainingData) throws {
        let c = configuration.gan, dataset = data.dataset
        guard c.vocabularySize == dataset.vocabulary.count, c.sequenceLength == dataset.sequenceLength else {
            throw LocatedError("was trained on a dataset with vocabulary \(c.vocabularySize) and length \(c.sequenceLength), \(dataset.directory.path) has \(dataset.vocabulary.count) and \(dataset.sequenceLength)")
        }
        self.configuration = configuration
        self.data = data
        state = LanguageGANState(configuration: configuration)
    }

    public var headline: String {
        let c = configuration.gan
        return "\(c.schedule.rawValue), dim \(c.dim), batch \(configuration.run.batch), critic lr \(c.criticLearningRate), generator lr \(c.generatorLearningRate), \(c.criticIterations) critic step(s), \(data.dataset.sentenceCount) sentences, vocabulary \(c.vocabularySize)"
    }

    /// The generator's loss (none at iteration 0) and the critic steps'.
    public typealias Losses = WGANGPIteration

    public func iterate(iteration: Int) -> Losses {
        let batch = configuration.run.batch
        return state.iteration(iteration, batch: batch) { realBatch(batch) }
    }

    public func nonFiniteReason(_ losses: Losses) -> String? { losses.nonFiniteReason }

    /// One-hot real sentences drawn uniformly (with replacement) from the training stream:
    /// the whole global batch is drawn, this rank's share is returned.
    private func realBatch(_ size: Int) -> Tensor {
        let dataset = data.dataset
        let indices = (0..<size).map { _ in state.random.nextInt(below: dataset.sentenceCount) }
        let local = Collectives.localRows(of: size)
        var ids: [Int] = []
        ids.reserveCapacity(local.count * dataset.sequenceLength)
        for index in indices[local] {
            for token in dataset.sentence(index) { ids.append(Int(token)) }
        }
        return Tensor.oneHot(ids, shape: [local.count, dataset.sequenceLength], depth: dataset.vocabulary.count)
    }

    /// The JSD of `evalSamples` generated sentences against the corpus statistics; the
    /// sentences go to `samples`, decoded. Over several ranks all generate, rank 0 scores.
    public func evaluate(iteration: Int, seconds: Double, losses: Losses?, random: inout RandomSource,
                         samples: URL) throws -> LanguageLogEntry {
        let c = configuration.gan
        let generated = state.generator.sampleTokenIDs(count: c.evalSamples, batch: configuration.run.batch, using: &random)
            .map { $0.map { TokenID($0) } }
        guard let store = data.store else {  // another rank of an MPI job: rank 0 scores and writes
            return LanguageLogEntry(iteration: iteration, seconds: seconds, jsd: [:])
        }
        let vocabulary = data.dataset.vocabulary
        let scores: [Int: Double], nonPadding: [Int: Double]?
        if let padding = vocabulary.padding {
            let both = try store.jsd(samples: generated, maxN: c.maxNGram, padding: padding)
            (scores, nonPadding) = (both.all, both.nonPadding)
        } else {
            (scores, nonPadding) = (try store.jsd(samples: generated, maxN: c.maxNGram), nil)
        }
        let sentences = generated.map { data.dataset.vocabulary.decode(ids: $0) }
        try AtomicFile.write(Data((sentences.joined(separator: "\n") + "\n").utf8), to: samples)
        // The log keys its scores by order as strings ("1"…).
        let keyed = { (scores: [Int: Double]) in Dictionary(uniqueKeysWithValues: scores.map { (String($0.key), $0.value) }) }
        var entry = LanguageLogEntry(iteration: iteration, seconds: seconds, criticLoss: losses?.critic.loss,
                                     genLoss: losses?.generatorLoss, wasserstein: losses?.critic.wasserstein,
                                     gradientPenalty: losses?.critic.gradientPenalty, jsd: keyed(scores))
        entry.jsdNonPadding = nonPadding.map(keyed)
        let diversity = SampleDiversity(generated, vocabularySize: vocabulary.count, padding: vocabulary.padding)
        (entry.distinctSamples, entry.distinctCharacters) = (diversity.distinctSamples, diversity.distinctCharacters)
        if let every = c.bleuEvery, iteration % every == 0, let references = data.references {
            // Blank samples have no words to score (as `eval text` drops them).
            if !BLEU.wordLists(sentences).isEmpty {
                let text = try TextScores(samples: sentences, references: references)
                entry.bleu = keyed(text.bleu)
                if !text.selfBLEU.isEmpty { entry.selfBLEU = keyed(text.selfBLEU) }
                entry.msJaccard = keyed(text.msJaccard.compactMapValues { $0 })
                entry.languageModel = [("bits_per_char", text.languageModel.bitsPerCharacter),
                                       ("reverse_bits_per_char", text.reverseLanguageModel.bitsPerCharacter)]
                    .reduce(into: [:]) { if let value = $1.1 { $0[$1.0] = value } }
            }
        }
        return entry
    }

    public func summary(_ losses: Losses, latest: LanguageLogEntry?) -> String {
        let jsd = ["4", "6"].compactMap { n in latest?.jsd[n].map { String(format: "JSD-%@ %.4f", n, $0) } }
        let nonPadding = latest?.jsdNonPadding?[selectionOrder].map { String(format: "(not all padding %.4f)", $0) }
        return ([String(format: "critic %.4f  gen %@", losses.critic.loss,
                        losses.generatorLoss.map { String(format: "%.4f", $0) } ?? "-")] + jsd + [nonPadding].compactMap { $0 })
            .joined(separator: "  ")
    }

    /// The JSD order the best checkpoint is selected by: 4, or the largest evaluated below it.
    private var selectionOrder: String { String(min(4, configuration.gan.maxNGram)) }

    /// Selection is by the JSD over n-grams that are not all padding: the paper's JSD rewards
    /// output of nothing but padding (640 empty lines score JSD-4 0.685 on the bundled corpus,
    /// better than round 2's shipped generator's 0.633 is by little, and than a line of each real
    /// sentence's first word, 0.632, not at all); on this one empty output scores 1, the first
    /// words 0.829, that generator 0.732, real sentences 0.24 (README, "The best checkpoint").
    public var selectionMetric: String { "JSD-\(selectionOrder) of n-grams not all padding" }

    /// The evaluation's JSD over n-grams not all padding; nil when it is 1 (to rounding) — no
    /// such n-gram shared with the corpus, as when every sample is empty — or was not computed.
    public func selectionScore(_ entry: LanguageLogEntry) -> Double? {
        guard let score = entry.jsdNonPadding?[selectionOrder], score < 1 - 1e-9 else { return nil }
        return score
    }

    /// Sets the mode-collapse warning (``ModeCollapse``), once a run.
    public func review(_ entry: inout LanguageLogEntry, earlier: [LanguageLogEntry]) {
        entry.warning = ModeCollapse.warning(for: entry, earlier: earlier)
    }
}
