import Foundation
import Layers
import Tensors
import TrainingRuns

/// Both DCGAN networks, both optimisers and the random source: everything one iteration
/// reads and updates.
public final class DCGANState: CheckpointedNetworks {
    public let generator: DCGANGenerator
    public let discriminator: DCGANDiscriminator
    public let generatorOptimizer: Adam
    public let discriminatorOptimizer: Adam
    public var random: RandomSource

    public init(configuration: DCGANConfiguration) {
        let c = configuration.gan
        var random = RandomSource(seed: configuration.run.seed)
        generator = DCGANGenerator(c.model, random: &random)
        discriminator = DCGANDiscriminator(c.model, random: &random)
        generatorOptimizer = Adam(parameters: generator.parameters, learningRate: c.generatorLearningRate,
                                  beta1: c.beta1, beta2: c.beta2)
        discriminatorOptimizer = Adam(parameters: discriminator.parameters, learningRate: c.discriminatorLearningRate,
                                      beta1: c.beta1, beta2: c.beta2)
        self.random = random
    }

    public var networks: [TrainedNetwork] {
        [TrainedNetwork(role: "generator", network: generator, optimizer: generatorOptimizer),
         TrainedNetwork(role: "discriminator", network: discriminator, optimizer: discriminatorOptimizer)]
    }

    /// Generator input: uniform in [−1, 1), as the TensorFlow DCGAN draws it.
    public static func noise(batch: Int, dimensions: Int, using random: inout RandomSource) -> Tensor {
        Tensor.randomUniform([batch, dimensions], low: -1, high: 1, using: &random)
    }

    /// What a discriminator step computed.
    public struct DiscriminatorStep {
        /// softplus(−D(x)) + softplus(D(G(z))), batch means: the sigmoid cross-entropy with
        /// labels 1 for real and 0 for generated.
        public let loss: Double
        /// Mean sigmoid(D) on the real and on the generated batch.
        public let realScore: Double, fakeScore: Double
    }

    /// One discriminator update on `real` [B, size, size, channels] against a fresh
    /// generated batch (batch norm in training mode on each batch separately, as DCGAN).
    @discardableResult
    public func discriminatorUpdate(real: Tensor) -> DiscriminatorStep {
        let batch = real.shape[0]
        let fake = GradMode.with(false) {
            generator(Self.noise(batch: batch * Collectives.current.size, dimensions: generator.shape.noise,
                                 using: &random).localRows())
        }
        let realLogits = discriminator(real), fakeLogits = discriminator(fake)
        let loss = (-realLogits).softplus().mean() + fakeLogits.softplus().mean()
        let gradients = Autodiff.gradients(of: loss, withRespectTo: discriminator.parameters)
        discriminatorOptimizer.update(with: gradients)
        func score(_ logits: Tensor) -> Double {
            logits.scalars.reduce(0) { $0 + 1 / (1 + exp(-Double($1))) } / Double(batch)
        }
        let means = Collectives.mean([Double(loss.item), score(realLogits), score(fakeLogits)])
        return DiscriminatorStep(loss: means[0], realScore: means[1], fakeScore: means[2])
    }

    /// One generator update with the non-saturating loss softplus(−D(G(z))); returns it.
    @discardableResult
    public func generatorUpdate(batch: Int) -> Double {
        let z = Self.noise(batch: batch, dimensions: generator.shape.noise, using: &random).localRows()
        let loss = (-discriminator(generator(z))).softplus().mean()
        let gradients = Autodiff.gradients(of: loss, withRespectTo: generator.parameters)
        generatorOptimizer.update(with: gradients)
        return Collectives.mean([Double(loss.item)])[0]
    }

    /// `count` images from the generator in evaluation mode (running batch-norm statistics),
    /// in batches (over several ranks, each generating its share), from noise drawn with `random`: [count, size, size, channels] floats in (−1, 1).
    public func generate(count: Int, batch: Int, using random: inout RandomSource) -> [Float] {
        let wasTraining = generator.isTraining
        generator.isTraining = false
        defer { generator.isTraining = wasTraining }
        var images: [Float] = []
        var done = 0
        while done < count {
            let size = min(batch, count - done)
            let z = Self.noise(batch: size, dimensions: generator.shape.noise, using: &random)
            images += withoutGrad { Collectives.splittingRows(of: z) { generator($0) } }.scalars
            done += size
        }
        return images
    }
}
