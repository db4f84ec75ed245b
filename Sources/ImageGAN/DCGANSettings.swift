import Layers
import Tensors
import TrainingRuns

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

/// What an image GAN adds to a run's configuration: its network's settings and how it is
/// evaluated, side by side in the one flat `config.json` (round 1's layout for the DCGAN).
/// The network's settings read as the settings' own (`settings.model`, `settings.schedule`).
@dynamicMemberLookup
public struct ImageGANSettings<Network: ImageNetworkSettings>: GANSettings {
    public var network: Network
    public var evaluation: ImageEvaluationSettings

    public init(network: Network, evaluation: ImageEvaluationSettings = ImageEvaluationSettings()) {
        self.network = network
        self.evaluation = evaluation
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<Network, Value>) -> Value {
        get { network[keyPath: keyPath] }
        set { network[keyPath: keyPath] = newValue }
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Network, Value>) -> Value { network[keyPath: keyPath] }

    /// `gan`: the kind of GAN, as checkpoints name it, so a reader of `config.json` sees
    /// which model the run trains (absent in runs written before it was added).
    private enum KindKey: String, CodingKey { case gan }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: KindKey.self)
        if let kind = try c.decodeIfPresent(String.self, forKey: .gan), kind != Network.kind {
            throw DecodingError.dataCorruptedError(forKey: .gan, in: c, debugDescription: "a \(kind) run, not \(Network.kind)")
        }
        network = try Network(from: decoder)
        evaluation = try ImageEvaluationSettings(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: KindKey.self)
        try c.encode(Network.kind, forKey: .gan)
        try network.encode(to: encoder)
        try evaluation.encode(to: encoder)
    }

    public func validate() throws {
        guard network.isValid, evaluation.isValid else { throw LocatedError("invalid image-GAN settings") }
    }
}

/// An image GAN's network settings: sizes, schedule, learning rates.
public protocol ImageNetworkSettings: Codable, Equatable, Sendable {
    /// The GAN's kind, as checkpoints name it ("dcgan", "wgan-gp-image").
    static var kind: String { get }
    var isValid: Bool { get }
    /// Image side and channels.
    var imageSize: Int { get }
    var channels: Int { get }
}

/// The DCGAN's network settings.
public struct DCGANSettings: ImageNetworkSettings {
    public static var kind: String { DCGAN.kind }
    public var schedule: Schedule = .ttur
    public var model = DCGANShape()
    public var discriminatorLearningRate: Float = 1e-4
    public var generatorLearningRate: Float = 5e-4
    /// DCGAN's Adam: β1 = 0.5.
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999

    public init() {}

    /// The paper's DCGAN schedules: TTUR its CIFAR-10 setting, discriminator 1e-4 and generator
    /// 5e-4; orig 1e-4 for both. One discriminator step per iteration.
    public static let schedules = ScheduleTable(ttur: ScheduleRates(critic: 1e-4, generator: 5e-4),
                                                orig: ScheduleRates(critic: 1e-4, generator: 1e-4))

    /// The settings of `schedule` (its learning rates).
    public init(schedule: Schedule) {
        self.schedule = schedule
        let rates = Self.schedules[schedule]
        discriminatorLearningRate = rates.criticLearningRate
        generatorLearningRate = rates.generatorLearningRate
    }

    public var isValid: Bool { model.isValid }
    public var imageSize: Int { model.imageSize }
    public var channels: Int { model.channels }
}

/// A DCGAN run's configuration: run settings and the model's, one flat `config.json`.
public typealias DCGANConfiguration = RunConfiguration<ImageGANSettings<DCGANSettings>>
