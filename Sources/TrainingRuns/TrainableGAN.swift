import Foundation
import Layers
import Tensors

/// One network of a GAN with the optimiser that trains it, under the role that names it
/// in checkpoints ("generator", "critic", "discriminator").
public struct TrainedNetwork {
    public let role: String
    public let network: ParameterContainer
    public let optimizer: Adam

    public init(role: String, network: ParameterContainer, optimizer: Adam) {
        self.role = role
        self.network = network
        self.optimizer = optimizer
    }
}

/// What a checkpoint holds of a GAN besides its configuration: the networks with their
/// optimisers, and the training stream of random numbers.
public protocol CheckpointedNetworks: AnyObject {
    /// The networks in checkpoint order.
    var networks: [TrainedNetwork] { get }
    /// The training stream of random numbers (batches, noise), saved with checkpoints.
    var random: RandomSource { get set }
}

/// A GAN that `Trainer`, the one training loop, trains: its networks with their
/// optimisers, one iteration, and its evaluation. Budget, stop requests, cadence,
/// checkpoints, resume, logs and progress are the loop's.
public protocol TrainableGAN: CheckpointedNetworks {
    associatedtype Settings: GANSettings
    /// What the GAN trains and evaluates on and is not saved in checkpoints: the data, the
    /// n-gram store, the FID monitor.
    associatedtype Context
    /// What one iteration computed.
    associatedtype Losses
    /// One line of `log.jsonl`.
    associatedtype Entry: LoggedEvaluation

    /// The kind, as checkpoints name it ("language-wgan-gp", "dcgan").
    static var kind: String { get }
    /// The samples' file extension: "txt" for sentences, "png" for image grids.
    static var sampleExtension: String { get }

    /// Fresh networks from the configuration's seed.
    /// - throws: `LocatedError` when the configuration does not fit the context.
    init(configuration: RunConfiguration<Settings>, context: Context) throws

    /// What the run trains, in words, for the first output line ("ttur, dim 512, …").
    var headline: String { get }

    /// One training iteration; `iteration` counts from 0.
    func iterate(iteration: Int) -> Losses
    /// Why the losses are not finite, or nil when they are.
    func nonFiniteReason(_ losses: Losses) -> String?
    /// Generates evaluation samples from `random` (never the training stream), scores them,
    /// writes them to `samples`, and returns the log line. Over several ranks every rank
    /// calls it (they generate the samples together); rank 0 alone scores and writes.
    func evaluate(iteration: Int, seconds: Double, losses: Losses?, random: inout RandomSource,
                  samples: URL) throws -> Entry
    /// The losses (and the latest scores) for a progress line.
    func summary(_ losses: Losses, latest: Entry?) -> String

    /// The score that selects the run's best checkpoint, in words ("FID (classifier)").
    var selectionMetric: String { get }
    /// The evaluation's monitored score (lower is better), or nil when it cannot be selected.
    func selectionScore(_ entry: Entry) -> Double?
    /// Judges an evaluation against the run's earlier ones (oldest first): sets its warning
    /// when it deserves one. The loop calls it on the evaluating rank before logging.
    func review(_ entry: inout Entry, earlier: [Entry])
}

extension TrainableGAN {
    /// No warnings unless the GAN has a check of its own.
    public func review(_ entry: inout Entry, earlier: [Entry]) {}
}

/// A GAN whose networks, optimisers and random stream live in a state object of their own
/// (which sampling and tests use without the training data).
public protocol StatefulGAN: TrainableGAN {
    associatedtype State: CheckpointedNetworks
    var state: State { get }
}

extension StatefulGAN {
    public var networks: [TrainedNetwork] { state.networks }
    public var random: RandomSource {
        get { state.random }
        set { state.random = newValue }
    }
}
