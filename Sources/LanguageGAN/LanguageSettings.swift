import Layers
import Tensors
import TrainingRuns

/// Named sets of sizes.
public enum Preset: String, CaseIterable, Sendable {
    /// The paper's language model: dimension 512, batch 64.
    case paper
    /// For quick CPU runs (`make demo`): dimension 128, batch 32.
    case small

    public var dim: Int { self == .paper ? 512 : 128 }
    public var batch: Int { self == .paper ? 64 : 32 }
}

/// What the language WGAN-GP adds to a run's configuration. Defaults are the paper's.
public struct LanguageSettings: GANSettings {
    public var schedule: Schedule = .ttur
    public var dim = 512
    public var noise = 128
    public var residualBlocks = 5
    public var gradientPenaltyWeight: Float = 10
    public var criticLearningRate: Float = 3e-4
    public var generatorLearningRate: Float = 1e-4
    public var criticIterations = 1
    public var beta1: Float = 0.5
    public var beta2: Float = 0.9
    public var adamForm: Adam.Form = .pytorch
    /// Generated sentences per evaluation (the anchor's 10 batches of 64).
    public var evalSamples = 640
    public var maxNGram = 6
    /// Also score BLEU-2…5 and self-BLEU at evaluations whose iteration is a multiple of this
    /// (nil: never; `--bleu-every`).
    public var bleuEvery: Int?
    /// The prepared dataset (absolute path).
    public var dataDirectory = ""
    /// From the dataset.
    public var sequenceLength = 32
    public var vocabularySize = 0

    public init() {}

    /// The paper's language schedules: TTUR critic 3e-4, generator 1e-4, one critic step;
    /// orig 1e-4 for both, ten critic steps per generator step.
    public static let schedules = ScheduleTable(ttur: ScheduleRates(critic: 3e-4, generator: 1e-4, criticSteps: 1),
                                                orig: ScheduleRates(critic: 1e-4, generator: 1e-4, criticSteps: 10))

    /// The settings of `schedule` (its learning rates and critic steps) at `preset`'s width.
    public init(schedule: Schedule, preset: Preset = .paper) {
        self.schedule = schedule
        let rates = Self.schedules[schedule]
        criticLearningRate = rates.criticLearningRate
        generatorLearningRate = rates.generatorLearningRate
        criticIterations = rates.criticSteps
        dim = preset.dim
    }

    public func validate() throws {
        guard dim > 0, noise > 0, residualBlocks > 0, criticIterations > 0, sequenceLength > 0, vocabularySize > 1,
              evalSamples > 0, (1...8).contains(maxNGram), (bleuEvery ?? 1) >= 1 else {
            throw LocatedError("invalid language-model settings")
        }
    }

    public var modelShape: LanguageModelShape {
        LanguageModelShape(dim: dim, sequenceLength: sequenceLength, vocabularySize: vocabularySize, noise: noise,
                           residualBlocks: residualBlocks)
    }
}

/// A language run's configuration: run settings and the model's, one flat `config.json`.
public typealias LanguageConfiguration = RunConfiguration<LanguageSettings>
