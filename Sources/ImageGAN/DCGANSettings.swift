import Layers
import Tensors
import TrainingRuns

/// The update schedules of the paper's image experiments.
public enum ImageSchedule: String, Codable, CaseIterable, Sendable {
    /// Two time-scale update rule, the paper's CIFAR-10 setting: discriminator 1e-4, generator 5e-4.
    case ttur
    /// One learning rate for both networks, 1e-4.
    case orig

    public var discriminatorLearningRate: Float { 1e-4 }
    public var generatorLearningRate: Float { self == .ttur ? 5e-4 : 1e-4 }
}

/// Which network turns images into FID features. FIDs from different networks are different
/// quantities; logs and reports always say which one a number came from.
public enum FeatureNetworkKind: String, Codable, CaseIterable, Sendable {
    /// pytorch-fid's Inception-v3 (2048 pool features), given its weights.
    case inception
    /// ttur-text's small classifier trained on the dataset (`image features`).
    case classifier
}

/// How an image run is scored: FID's feature network, sample counts and the grids.
/// The same for every image GAN.
public struct ImageEvaluationSettings: Codable, Equatable, Sendable {
    /// Generated images per FID.
    public var fidSamples = 5000
    /// Real images behind the cached real statistics.
    public var fidRealSamples = 10000
    /// Images in each evaluation's grid.
    public var gridImages = 64
    /// The dataset, as given to `--dataset`.
    public var dataset = "fashion-mnist"
    /// Only the first this many images of it (`--limit`), or all.
    public var datasetLimit: Int?
    /// The FID feature network: "classifier" or "inception", and its weights file (empty: no FID).
    public var featureNetwork = FeatureNetworkKind.classifier
    public var featureWeights = ""
    /// KID beside FID over subsets of this many images (`--kid`; nil: no KID).
    public var kidSubsetSize: Int?
    /// Improved precision and recall beside FID (`--pr`; nil or false: not computed).
    public var precisionRecall: Bool?

    public init() {}

    var isValid: Bool {
        fidSamples > 1 && fidRealSamples > 1 && gridImages > 0 && (datasetLimit ?? 1) > 0
            && kidSubsetSize.map { 2...min(fidSamples, fidRealSamples) ~= $0 } ?? true
    }
}

/// What the DCGAN adds to a run's configuration.
public struct DCGANSettings: GANSettings {
    public var schedule: ImageSchedule = .ttur
    public var model = DCGANShape()
    public var discriminatorLearningRate: Float = 1e-4
    public var generatorLearningRate: Float = 5e-4
    /// DCGAN's Adam: β1 = 0.5.
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    public var evaluation = ImageEvaluationSettings()

    public init() {}

    /// The settings of `schedule` (its learning rates).
    public init(schedule: ImageSchedule) {
        self.schedule = schedule
        discriminatorLearningRate = schedule.discriminatorLearningRate
        generatorLearningRate = schedule.generatorLearningRate
    }

    enum CodingKeys: String, CodingKey {
        case schedule, model, discriminatorLearningRate, generatorLearningRate, beta1, beta2
    }

    // The evaluation settings sit beside the others in the one flat `config.json`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schedule = try c.decode(ImageSchedule.self, forKey: .schedule)
        model = try c.decode(DCGANShape.self, forKey: .model)
        discriminatorLearningRate = try c.decode(Float.self, forKey: .discriminatorLearningRate)
        generatorLearningRate = try c.decode(Float.self, forKey: .generatorLearningRate)
        beta1 = try c.decode(Float.self, forKey: .beta1)
        beta2 = try c.decode(Float.self, forKey: .beta2)
        evaluation = try ImageEvaluationSettings(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(model, forKey: .model)
        try c.encode(discriminatorLearningRate, forKey: .discriminatorLearningRate)
        try c.encode(generatorLearningRate, forKey: .generatorLearningRate)
        try c.encode(beta1, forKey: .beta1)
        try c.encode(beta2, forKey: .beta2)
        try evaluation.encode(to: encoder)
    }

    public func validate() throws {
        guard model.isValid, evaluation.isValid else { throw LocatedError("invalid DCGAN settings") }
    }
}

/// A DCGAN run's configuration: run settings and the model's, one flat `config.json`.
public typealias DCGANConfiguration = RunConfiguration<DCGANSettings>
