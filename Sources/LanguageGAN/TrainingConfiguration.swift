import Layers
import Tensors

/// The update schedules the paper compares.
public enum Schedule: String, Codable, CaseIterable, Sendable {
    /// Two time-scale update rule: critic lr 3e-4, generator lr 1e-4, one critic step.
    case ttur
    /// The original WGAN-GP schedule: 1e-4 for both, ten critic steps per generator step.
    case orig

    public var criticLearningRate: Float { self == .ttur ? 3e-4 : 1e-4 }
    public var generatorLearningRate: Float { 1e-4 }
    public var criticIterations: Int { self == .ttur ? 1 : 10 }
}

/// Everything that defines a training run; saved as `config.json` and inside every
/// checkpoint, so a resumed run continues with exactly the settings it started with.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var schedule: Schedule = .ttur
    public var dim = 512
    public var batch = 64
    public var noise = 128
    public var residualBlocks = 5
    public var gradientPenaltyWeight: Float = 10
    public var criticLearningRate: Float = 3e-4
    public var generatorLearningRate: Float = 1e-4
    public var criticIterations = 1
    public var beta1: Float = 0.5
    public var beta2: Float = 0.9
    public var adamForm: Adam.Form = .pytorch
    /// Stop after this many iterations (nil: no limit).
    public var iterations: Int?
    /// Stop after this much training time in minutes, evaluation excluded (nil: no limit).
    public var minutes: Double?
    public var evalEvery = 100
    /// Generated sentences per evaluation (the anchor's 10 batches of 64).
    public var evalSamples = 640
    public var checkpointEvery = 500
    public var keepCheckpoints = 3
    public var maxNGram = 6
    public var threads = 2
    public var seed: UInt64 = 0
    /// The prepared dataset (absolute path).
    public var dataDirectory = ""
    /// From the dataset.
    public var sequenceLength = 32
    public var vocabularySize = 0

    public init() {}

    /// Applies a schedule's learning rates and critic iterations.
    public mutating func apply(_ schedule: Schedule) {
        self.schedule = schedule
        criticLearningRate = schedule.criticLearningRate
        generatorLearningRate = schedule.generatorLearningRate
        criticIterations = schedule.criticIterations
    }

    public var modelShape: LanguageModelShape {
        LanguageModelShape(dim: dim, sequenceLength: sequenceLength, vocabularySize: vocabularySize, noise: noise,
                           residualBlocks: residualBlocks)
    }
}

/// Named sets of sizes.
public enum Preset: String, CaseIterable, Sendable {
    /// The paper's language model: dimension 512, batch 64.
    case paper
    /// For quick CPU runs (`make demo`): dimension 128, batch 32.
    case small

    public var dim: Int { self == .paper ? 512 : 128 }
    public var batch: Int { self == .paper ? 64 : 32 }
}
