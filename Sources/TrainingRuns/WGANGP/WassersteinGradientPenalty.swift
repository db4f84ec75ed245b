import Tensors

/// The WGAN-GP losses and their gradients (Gulrajani et al. 2017), for any generator and
/// critic given as functions of tensors and any sample shape (sentences [B, seq, vocab],
/// images [B, H, W, C]): the critic's loss mean D(fake) − mean D(real) + λ · mean over the
/// batch of (‖∂D(x̂ᵢ)/∂x̂ᵢ‖₂ − 1)² at x̂ = real + α (fake − real), and the generator's
/// −mean D(G(z)).
public enum WassersteinGradientPenalty {
    /// What a critic step computed.
    public struct CriticStep {
        /// wasserstein + λ · gradient penalty
        public let loss: Double
        /// mean D(fake) − mean D(real)
        public let wasserstein: Double
        public let gradientPenalty: Double
        /// d loss / d critic parameters, in the order they were given.
        public let gradients: [Tensor]
        public let fake: Tensor, criticReal: Tensor, criticFake: Tensor
    }

    /// What a generator step computed.
    public struct GeneratorStep {
        /// −mean D(G(z))
        public let loss: Double
        /// d loss / d generator parameters, in the order they were given.
        public let gradients: [Tensor]
    }

    /// real + α (fake − real) with one α per sample (alpha [B]) broadcast over the sample's
    /// other axes, whatever their number; not recorded (the penalty differentiates with respect
    /// to the interpolates themselves).
    public static func interpolates(real: Tensor, fake: Tensor, alpha: Tensor) -> Tensor {
        let batch = real.shape[0]
        precondition(fake.shape == real.shape && alpha.shape == [batch],
                     "interpolating \(real.shape) and \(fake.shape) with alpha \(alpha.shape)")
        let perSample = Shape([batch] + [Int](repeating: 1, count: real.rank - 1))
        return withoutGrad { real + alpha.reshaped(perSample) * (fake - real) }
    }

    /// mean over the batch of (‖∂D(x̂ᵢ)/∂x̂ᵢ‖₂ − 1)², each sample with its own norm,
    /// differentiable in the critic's parameters (the input gradient is computed with its graph
    /// recorded).
    public static func penalty(critic: (Tensor) -> Tensor, at interpolates: Tensor) -> Tensor {
        let batch = interpolates.shape[0]
        let x = interpolates.detached().requiringGrad()
        let inputGradient = Autodiff.gradients(of: critic(x), withRespectTo: [x], createGraph: true)[0]
        let slopes = inputGradient.squared().reshaped([batch, x.count / batch]).sum(alongAxes: [1])
            .reshaped([batch]).sqrt()
        return (slopes - 1).squared().mean()
    }

    /// The critic's loss and its gradients with respect to `criticParameters`.
    ///
    /// ```swift
    /// let step = WassersteinGradientPenalty.criticStep(generator: generator.callAsFunction,
    ///     critic: critic.callAsFunction, criticParameters: critic.parameters,
    ///     real: real, noise: z, alpha: alpha, lambda: 10)
    /// criticOptimizer.update(with: step.gradients)
    /// ```
    ///
    /// Real and generated samples go through the critic as one batch of 2B (one larger GEMM
    /// per layer; the critic must treat samples independently, which the penalty needs anyway);
    /// the interpolates go through separately, because their backward pass is a different
    /// computation. The fake batch is generated without recording.
    ///
    /// - Parameters:
    ///   - noise: generator input [B, noise].
    ///   - alpha: interpolation weights [B], uniform in [0, 1).
    ///   - lambda: the penalty's weight (10 in the paper).
    public static func criticStep(generator: (Tensor) -> Tensor, critic: (Tensor) -> Tensor,
                                  criticParameters: [Tensor], real: Tensor, noise: Tensor, alpha: Tensor,
                                  lambda: Float) -> CriticStep {
        let batch = real.shape[0]
        let fake = withoutGrad { generator(noise) }
        let scores = critic(Tensor.concatenate([real, fake]))
        let criticReal = scores.slice(0..<batch), criticFake = scores.slice(batch..<(2 * batch))
        let wasserstein = criticFake.mean() - criticReal.mean()
        let gradientPenalty = penalty(critic: critic, at: interpolates(real: real, fake: fake, alpha: alpha))
        let loss = wasserstein + gradientPenalty * lambda
        let gradients = Autodiff.gradients(of: loss, withRespectTo: criticParameters)
        return CriticStep(loss: Double(loss.item), wasserstein: Double(wasserstein.item),
                          gradientPenalty: Double(gradientPenalty.item), gradients: gradients, fake: fake,
                          criticReal: criticReal.detached(), criticFake: criticFake.detached())
    }

    /// The generator's loss −mean D(G(z)) and its gradients with respect to
    /// `generatorParameters`; the critic's weight gradients are never computed (only the path
    /// to the generator's parameters is walked).
    public static func generatorStep(generator: (Tensor) -> Tensor, critic: (Tensor) -> Tensor,
                                     generatorParameters: [Tensor], noise: Tensor) -> GeneratorStep {
        let loss = -critic(generator(noise)).mean()
        let gradients = Autodiff.gradients(of: loss, withRespectTo: generatorParameters)
        return GeneratorStep(loss: Double(loss.item), gradients: gradients)
    }
}

extension WassersteinGradientPenalty.CriticStep {
    /// The step's losses without its tensors.
    public var losses: WassersteinGradientPenalty.CriticLosses {
        WassersteinGradientPenalty.CriticLosses(loss: loss, wasserstein: wasserstein, gradientPenalty: gradientPenalty)
    }
}

extension WassersteinGradientPenalty {
    /// A critic step's losses (what an iteration reports and the log records).
    public struct CriticLosses: Equatable, Sendable {
        /// wasserstein + λ · gradient penalty
        public let loss: Double
        /// mean D(fake) − mean D(real)
        public let wasserstein: Double
        public let gradientPenalty: Double

        /// The losses averaged over ranks: the global batch's (equal shares).
        public func averagedOverRanks() -> CriticLosses {
            guard Collectives.isDistributed else { return self }
            let means = Collectives.mean([loss, wasserstein, gradientPenalty])
            return CriticLosses(loss: means[0], wasserstein: means[1], gradientPenalty: means[2])
        }
    }
}
