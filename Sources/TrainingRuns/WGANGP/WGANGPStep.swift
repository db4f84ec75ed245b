import Layers
import Tensors

/// A WGAN-GP model's state: a generator and a critic of any input kinds (sentences
/// [B, seq, vocab], images [B, H, W, C]), their Adam optimisers and the training stream of
/// random numbers. The one WGAN-GP step (`generatorUpdate`, `criticUpdate`, `iteration`) is
/// written once, below, for every such state: the language GAN, the image GAN and the
/// benchmarks all call it.
public protocol WGANGPNetworks: CheckpointedNetworks {
    associatedtype Generator: Network
    associatedtype Critic: Network
    var generator: Generator { get }
    var critic: Critic { get }
    var generatorOptimizer: Adam { get }
    var criticOptimizer: Adam { get }
    /// λ of the gradient penalty (10 in the paper).
    var gradientPenaltyWeight: Float { get }
    /// Critic steps per iteration.
    var criticSteps: Int { get }
    /// The generator's input width (noise is standard normal [B, noiseDimensions]).
    var noiseDimensions: Int { get }
    /// Where an iteration draws its first real batch; see `RealBatchOrder`.
    static var realBatchOrder: RealBatchOrder { get }
}

/// Where an iteration draws its first real batch from the training stream, relative to the
/// generator step's noise. The two reference loops differ, and every draw comes from one
/// stream, so the order is part of what a run computes (and of bit-exact resume).
public enum RealBatchOrder: Sendable {
    /// The language loop: the generator step first, then each critic step draws its batch.
    case afterGeneratorStep
    /// The image loop: the first critic step's batch, then the generator step, then the critic.
    case beforeGeneratorStep
}

/// What one WGAN-GP iteration computed.
public struct WGANGPIteration: Sendable {
    /// The generator's loss −mean D(G(z)); nil at iteration 0, where its step is skipped.
    public let generatorLoss: Double?
    /// The critic steps' losses, in order (never empty).
    public let criticSteps: [WassersteinGradientPenalty.CriticLosses]

    /// The last critic step's losses: what the log and the progress line report.
    public var critic: WassersteinGradientPenalty.CriticLosses { criticSteps[criticSteps.count - 1] }

    /// Why the losses are not finite (for `TrainableGAN.nonFiniteReason`), or nil when they are.
    public var nonFiniteReason: String? {
        guard !critic.loss.isFinite || !(generatorLoss?.isFinite ?? true) else { return nil }
        return "critic \(critic.loss), generator \(generatorLoss.map { String($0) } ?? "-")"
    }
}

extension WGANGPNetworks {
    /// Fresh generator noise, standard normal [batch, noiseDimensions], from the training stream.
    public func noise(batch: Int) -> Tensor {
        Tensor.randomNormal([batch, noiseDimensions], using: &random)
    }

    /// One generator update on fresh noise for a global batch of `batch` (over several ranks
    /// each computes its share); returns the global batch's loss −mean D(G(z)).
    @discardableResult
    public func generatorUpdate(batch: Int) -> Double {
        let step = WassersteinGradientPenalty.generatorStep(generator: generator.callAsFunction,
                                                            critic: critic.callAsFunction,
                                                            generatorParameters: generator.parameters,
                                                            noise: noise(batch: batch).localRows())
        generatorOptimizer.update(with: step.gradients)
        return Collectives.mean([step.loss])[0]
    }

    /// One critic update on `real` (this rank's share of the global batch) with fresh noise
    /// and interpolation weights, drawn in that order; the losses returned are the global
    /// batch's.
    @discardableResult
    public func criticUpdate(real: Tensor) -> WassersteinGradientPenalty.CriticLosses {
        let batch = real.shape[0] * Collectives.current.size
        let z = noise(batch: batch).localRows()
        let alpha = Tensor.randomUniform([batch], using: &random).localRows()
        let step = WassersteinGradientPenalty.criticStep(generator: generator.callAsFunction,
                                                         critic: critic.callAsFunction,
                                                         criticParameters: critic.parameters, real: real, noise: z,
                                                         alpha: alpha, lambda: gradientPenaltyWeight)
        criticOptimizer.update(with: step.gradients)
        return step.losses.averagedOverRanks()
    }

    /// Iteration `index` of the WGAN-GP loop for a global batch of `batch`: the generator step
    /// (skipped at iteration 0, as both reference scripts do), then `criticSteps` critic
    /// steps, each on the next real batch (this rank's share), drawn where `realBatchOrder`
    /// says.
    @discardableResult
    public func iteration(_ index: Int, batch: Int, nextRealBatch: () throws -> Tensor) rethrows -> WGANGPIteration {
        var generatorLoss: Double?
        var steps: [WassersteinGradientPenalty.CriticLosses] = []
        steps.reserveCapacity(criticSteps)
        for step in 0..<criticSteps {
            var early: Tensor?
            if step == 0 && Self.realBatchOrder == .beforeGeneratorStep { early = try nextRealBatch() }
            if step == 0 && index > 0 { generatorLoss = generatorUpdate(batch: batch) }
            steps.append(criticUpdate(real: try early ?? nextRealBatch()))
        }
        return WGANGPIteration(generatorLoss: generatorLoss, criticSteps: steps)
    }
}
