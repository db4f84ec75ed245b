import Layers
import Tensors
import TrainingRuns

/// Both networks, both optimisers and the random source: everything one WGAN-GP iteration
/// reads and updates.
public final class LanguageGANState: CheckpointedNetworks {
    public let generator: LanguageGenerator
    public let critic: LanguageCritic
    public let generatorOptimizer: Adam
    public let criticOptimizer: Adam
    public var random: RandomSource
    public let gradientPenaltyWeight: Float

    public init(shape: LanguageModelShape, learningRateGenerator: Float, learningRateCritic: Float,
                beta1: Float = 0.5, beta2: Float = 0.9, adamForm: Adam.Form = .pytorch,
                gradientPenaltyWeight: Float = 10, seed: UInt64) {
        var random = RandomSource(seed: seed)
        generator = LanguageGenerator(shape, random: &random)
        critic = LanguageCritic(shape, random: &random)
        generatorOptimizer = Adam(parameters: generator.parameters, learningRate: learningRateGenerator,
                                  beta1: beta1, beta2: beta2, form: adamForm)
        criticOptimizer = Adam(parameters: critic.parameters, learningRate: learningRateCritic,
                               beta1: beta1, beta2: beta2, form: adamForm)
        self.random = random
        self.gradientPenaltyWeight = gradientPenaltyWeight
    }

    /// A fresh state (new weights from the run's seed) for a training configuration.
    public convenience init(configuration: LanguageConfiguration) {
        let c = configuration.gan
        self.init(shape: c.modelShape, learningRateGenerator: c.generatorLearningRate,
                  learningRateCritic: c.criticLearningRate, beta1: c.beta1, beta2: c.beta2, adamForm: c.adamForm,
                  gradientPenaltyWeight: c.gradientPenaltyWeight, seed: configuration.run.seed)
    }

    public var networks: [TrainedNetwork] {
        [TrainedNetwork(role: "generator", network: generator, optimizer: generatorOptimizer),
         TrainedNetwork(role: "critic", network: critic, optimizer: criticOptimizer)]
    }

    public var shape: LanguageModelShape { generator.shape }

    /// Fresh generator noise [batch, noise].
    public func noise(batch: Int) -> Tensor {
        Tensor.randomNormal([batch, shape.noise], using: &random)
    }

    /// One generator update on fresh noise for a global batch of `batch`; returns its loss.
    /// Over several ranks each computes its share of the batch (`Collectives`).
    @discardableResult
    public func generatorUpdate(batch: Int) -> Double {
        let step = WGANGP.generatorStep(generator: generator, critic: critic, noise: noise(batch: batch).localRows())
        generatorOptimizer.update(with: step.gradients)
        return Collectives.mean([step.loss])[0]
    }

    /// One critic update on `real` (one-hot [B, seq, vocab]: this rank's share of the global
    /// batch) with fresh noise and alphas. The losses returned are the global batch's.
    @discardableResult
    public func criticUpdate(real: Tensor) -> WGANGP.CriticStep {
        let batch = real.shape[0] * Collectives.current.size
        let z = noise(batch: batch).localRows()
        let alpha = Tensor.randomUniform([batch], using: &random).localRows()
        let step = WGANGP.criticStep(generator: generator, critic: critic, real: real, noise: z, alpha: alpha,
                                     lambda: gradientPenaltyWeight)
        criticOptimizer.update(with: step.gradients)
        return step.averagedOverRanks()
    }
}
