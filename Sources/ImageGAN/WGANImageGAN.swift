import Layers
import Tensors

/// The update schedules of the paper's WGAN-GP image experiments (its table: "TTUR 3e-4, 1e-4",
/// the first for the critic). The authors' script itself sets D_LR 1e-4 and G_LR 3e-4 under
/// TTUR; the table and the code disagree, and this follows the table.
public enum WGANImageSchedule: String, Codable, CaseIterable, Sendable {
    /// Critic 3e-4, generator 1e-4, one critic step per iteration.
    case ttur
    /// 1e-4 for both, five critic steps per iteration.
    case orig

    public var criticLearningRate: Float { self == .ttur ? 3e-4 : 1e-4 }
    public var generatorLearningRate: Float { 1e-4 }
    public var criticSteps: Int { self == .ttur ? 1 : 5 }
}

/// The WGAN-GP image GAN: the residual generator and layer-norm critic, their Adam optimisers
/// (β = (0, 0.9), PyTorch's form) and the random source: everything one iteration reads and
/// updates, for a training loop to drive.
public final class WGANImageGAN {
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
    public convenience init(shape: ResidualImageShape, schedule: WGANImageSchedule, seed: UInt64) {
        self.init(shape: shape, criticLearningRate: schedule.criticLearningRate,
                  generatorLearningRate: schedule.generatorLearningRate, criticSteps: schedule.criticSteps, seed: seed)
    }

    public var shape: ResidualImageShape { generator.shape }

    /// Generator input: standard normal [batch, 128].
    public static func noise(batch: Int, dimensions: Int, using random: inout RandomSource) -> Tensor {
        Tensor.randomNormal([batch, dimensions], using: &random)
    }

    /// One generator update on fresh noise for a global batch of `batch` (over several ranks,
    /// each computes its share); returns its loss −mean D(G(z)).
    @discardableResult
    public func generatorUpdate(batch: Int) -> Double {
        let z = Self.noise(batch: batch, dimensions: shape.noise, using: &random).localRows()
        let step = WassersteinGradientPenalty.generatorStep(generator: generator.callAsFunction,
                                                            critic: critic.callAsFunction,
                                                            generatorParameters: generator.parameters, noise: z)
        generatorOptimizer.update(with: step.gradients)
        return Collectives.mean([step.loss])[0]
    }

    /// One critic update on `real` [B, size, size, channels] in [−1, 1] (this rank's share of
    /// the global batch) with fresh noise and interpolation weights; the losses returned are
    /// the global batch's.
    @discardableResult
    public func criticUpdate(real: Tensor) -> WassersteinGradientPenalty.CriticStep {
        let batch = real.shape[0] * Collectives.current.size
        let z = Self.noise(batch: batch, dimensions: shape.noise, using: &random).localRows()
        let alpha = Tensor.randomUniform([batch], using: &random).localRows()
        let step = WassersteinGradientPenalty.criticStep(generator: generator.callAsFunction,
                                                         critic: critic.callAsFunction,
                                                         criticParameters: critic.parameters, real: real, noise: z,
                                                         alpha: alpha, lambda: gradientPenaltyWeight)
        criticOptimizer.update(with: step.gradients)
        return step.averagedOverRanks()
    }

    /// What one iteration computed.
    public struct Iteration {
        /// The generator's loss; nil at iteration 0, where its step is skipped.
        public let generatorLoss: Double?
        /// The critic steps, in order.
        public let criticSteps: [WassersteinGradientPenalty.CriticStep]
    }

    /// Iteration `index` of the authors' loop: a generator step (skipped at iteration 0), then
    /// `criticSteps` critic steps, each on the next real batch.
    @discardableResult
    public func iteration(_ index: Int, nextRealBatch: () throws -> Tensor) rethrows -> Iteration {
        var generatorLoss: Double?
        var steps: [WassersteinGradientPenalty.CriticStep] = []
        for step in 0..<criticSteps {
            let real = try nextRealBatch()
            if step == 0 && index > 0 { generatorLoss = generatorUpdate(batch: real.shape[0] * Collectives.current.size) }
            steps.append(criticUpdate(real: real))
        }
        return Iteration(generatorLoss: generatorLoss, criticSteps: steps)
    }

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
            let z = Self.noise(batch: max(size, 2), dimensions: shape.noise, using: &random)
            images += withoutGrad { Collectives.splittingRows(of: z) { generator($0) } }.scalars.prefix(size * shape.imageSize * shape.imageSize * shape.channels)
            done += size
        }
        return images
    }
}
