import Layers
import Tensors
import TrainingRuns

/// Both networks, both optimisers and the random source: everything one WGAN-GP iteration
/// reads and updates (the step itself is `WGANGPNetworks`').
public final class LanguageGANState: WGANGPNetworks {
    public let generator: LanguageGenerator
    public let critic: LanguageCritic
    public let generatorOptimizer: Adam
    public let criticOptimizer: Adam
    public var random: RandomSource
    public let gradientPenaltyWeight: Float
    public let criticSteps: Int

    /// The language loop (the authors' `gan_language.py`) takes the generator step before
    /// drawing any real batch.
    public static let realBatchOrder = RealBatchOrder.afterGeneratorStep

    public init(shape: LanguageModelShape, learningRateGenerator: Float, learningRateCritic: Float,
                beta1: Float = 0.5, beta2: Float = 0.9, adamForm: Adam.Form = .pytorch,
                gradientPenaltyWeight: Float = 10, criticSteps: Int = 1, seed: UInt64) {
        precondition(criticSteps >= 1, "WGAN-GP needs at least one critic step per iteration")
        var random = RandomSource(seed: seed)
        generator = LanguageGenerator(shape, random: &random)
        critic = LanguageCritic(shape, random: &random)
        generatorOptimizer = Adam(parameters: generator.parameters, learningRate: learningRateGenerator,
                                  beta1: beta1, beta2: beta2, form: adamForm)
        criticOptimizer = Adam(parameters: critic.parameters, learningRate: learningRateCritic,
                               beta1: beta1, beta2: beta2, form: adamForm)
        self.random = random
        self.gradientPenaltyWeight = gradientPenaltyWeight
        self.criticSteps = criticSteps
    }

    /// A fresh state (new weights from the run's seed) for a training configuration.
    public convenience init(configuration: LanguageConfiguration) {
        let c = configuration.gan
        self.init(shape: c.modelShape, learningRateGenerator: c.generatorLearningRate,
                  learningRateCritic: c.criticLearningRate, beta1: c.beta1, beta2: c.beta2, adamForm: c.adamForm,
                  gradientPenaltyWeight: c.gradientPenaltyWeight, criticSteps: c.criticIterations,
                  seed: configuration.run.seed)
    }

    public var networks: [TrainedNetwork] {
        [TrainedNetwork(role: "generator", network: generator, optimizer: generatorOptimizer),
         TrainedNetwork(role: "critic", network: critic, optimizer: criticOptimizer)]
    }

    public var shape: LanguageModelShape { generator.shape }
    public var noiseDimensions: Int { shape.noise }
}
