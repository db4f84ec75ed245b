import Layers
import Tensors
import TrainingRuns

/// The WGAN-GP image GAN: the residual generator and layer-norm critic, their Adam optimisers
/// (β = (0, 0.9), PyTorch's form) and the random source: everything one iteration reads and
/// updates, for a training loop to drive (the step itself is `WGANGPNetworks`').
public final class WGANImageGAN: WGANGPNetworks {
    public let generator: ResidualImageGenerator
    public let critic: ResidualImageCritic
    public let generatorOptimizer: Adam
    public let criticOptimizer: Adam
    public var random: RandomSource
    /// Critic steps per iteration.
    public let criticSteps: Int
    /// λ of the gradient penalty.
    public let gradientPenaltyWeight: Float

    public static let beta1: Float = 0, beta2: Float = 0.9
    /// The authors' image loop (`gan_64x64_FID.py`) draws the first real batch before the
    /// generator step.
    public static let realBatchOrder = RealBatchOrder.beforeGeneratorStep

    public init(shape: ResidualImageShape, criticLearningRate: Float, generatorLearningRate: Float,
                criticSteps: Int, gradientPenaltyWeight: Float = 10, seed: UInt64) {
        precondition(criticSteps >= 1, "WGAN-GP needs at least one critic step per iteration")
        var random = RandomSource(seed: seed)
        generator = ResidualImageGenerator(shape, random: &random)
        critic = ResidualImageCritic(shape, random: &random)
        generatorOptimizer = Adam(parameters: generator.parameters, learningRate: generatorLearningRate,
                                  beta1: Self.beta1, beta2: Self.beta2, form: .pytorch)
        criticOptimizer = Adam(parameters: critic.parameters, learningRate: criticLearningRate,
                               beta1: Self.beta1, beta2: Self.beta2, form: .pytorch)
        self.random = random
        self.criticSteps = criticSteps
        self.gradientPenaltyWeight = gradientPenaltyWeight
    }

    /// A fresh GAN with a schedule's learning rates and critic steps.
    public convenience init(shape: ResidualImageShape, schedule: Schedule, seed: UInt64) {
        let rates = WGANImageSettings.schedules[schedule]
        self.init(shape: shape, criticLearningRate: rates.criticLearningRate,
                  generatorLearningRate: rates.generatorLearningRate, criticSteps: rates.criticSteps, seed: seed)
    }

    public var shape: ResidualImageShape { generator.shape }
    public var noiseDimensions: Int { shape.noise }

    /// `count` images in evaluation mode (nothing recorded; batch norms use each batch's
    /// statistics, as the authors' script samples), in batches of `batch`, from noise drawn with
    /// `random`: [count, size, size, channels] floats in (−1, 1).
    public func generate(count: Int, batch: Int, using random: inout RandomSource) -> [Float] {
        precondition(batch > 1, "the generator's batch norms need batches of more than one image")
        var images: [Float] = []
        images.reserveCapacity(count * shape.imageSize * shape.imageSize * shape.channels)
        var done = 0
        while done < count {
            // A last batch of one would have no batch statistics: draw a full batch and keep part.
            let size = min(batch, count - done)
            let z = Tensor.randomNormal([max(size, 2), shape.noise], using: &random)
            images += withoutGrad { Collectives.splittingRows(of: z) { generator($0) } }.scalars.prefix(size * shape.imageSize * shape.imageSize * shape.channels)
            done += size
        }
        return images
    }
}
