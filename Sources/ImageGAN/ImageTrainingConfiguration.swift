import Layers
import Tensors

/// The update schedules of the paper's image experiments.
public enum ImageSchedule: String, Codable, CaseIterable, Sendable {
    /// Two time-scale update rule, the paper's CIFAR-10 setting: discriminator 1e-4, generator 5e-4.
    case ttur
    /// One learning rate for both networks, 1e-4.
    case orig

    public var discriminatorLearningRate: Float { 1e-4 }
    public var generatorLearningRate: Float { self == .ttur ? 5e-4 : 1e-4 }
}

/// Everything that defines an image-GAN run; saved as `config.json` and inside every
/// checkpoint, so a resumed run continues with exactly the settings it started with.
public struct ImageTrainingConfiguration: Codable, Equatable, Sendable {
    public var schedule: ImageSchedule = .ttur
    public var model = DCGANShape()
    public var batch = 64
    public var discriminatorLearningRate: Float = 1e-4
    public var generatorLearningRate: Float = 5e-4
    /// DCGAN's Adam: β1 = 0.5.
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    /// Stop after this many iterations (nil: no limit).
    public var iterations: Int?
    /// Stop after this much training time in minutes, evaluation excluded (nil: no limit).
    public var minutes: Double?
    /// FID (and an image grid) every this many iterations.
    public var fidEvery = 500
    /// Generated images per FID.
    public var fidSamples = 5000
    /// Real images behind the cached real statistics.
    public var fidRealSamples = 10000
    public var checkpointEvery = 500
    public var keepCheckpoints = 3
    /// Images in each evaluation's grid.
    public var gridImages = 64
    public var threads = 2
    public var seed: UInt64 = 0
    /// The dataset, as given to `--dataset`.
    public var dataset = "fashion-mnist"
    /// Only the first this many images of it (`--limit`), or all.
    public var datasetLimit: Int?
    /// The FID feature network: "classifier" or "inception", and its weights file.
    public var featureNetwork = FeatureNetworkKind.classifier
    public var featureWeights = ""

    public init() {}

    /// Applies a schedule's learning rates.
    public mutating func apply(_ schedule: ImageSchedule) {
        self.schedule = schedule
        discriminatorLearningRate = schedule.discriminatorLearningRate
        generatorLearningRate = schedule.generatorLearningRate
    }
}

/// Which network turns images into FID features. FIDs from different networks are different
/// quantities; logs and reports always say which one a number came from.
public enum FeatureNetworkKind: String, Codable, CaseIterable, Sendable {
    /// pytorch-fid's Inception-v3 (2048 pool features), given its weights.
    case inception
    /// ttur-text's small classifier trained on the dataset (`image features`).
    case classifier
}
