import Layers
import Tensors

/// The losses and gradient computations of one WGAN-GP training iteration (Gulrajani et
/// al. 2017, as the TTUR paper's language experiment runs it).
public enum WGANGP {
    /// What a critic step computed.
    public struct CriticStep {
        /// wasserstein + λ · gradient penalty
        public let loss: Double
        /// mean D(fake) − mean D(real)
        public let wasserstein: Double
        public let gradientPenalty: Double
        /// d loss / d critic parameters, in `critic.parameters` order.
        public let gradients: [Tensor]
        public let fake: Tensor, criticReal: Tensor, criticFake: Tensor
    }

    /// What a generator step computed.
    public struct GeneratorStep {
        /// −mean D(G(z))
        public let loss: Double
        /// d loss / d generator parameters, in `generator.parameters` order.
        public let gradients: [Tensor]
    }

    /// The critic's loss and gradients.
    ///
    /// - Parameters:
    ///   - real: one-hot real sentences [B, seq, vocab].
    ///   - noise: generator input [B, noise].
    ///   - alpha: interpolation weights [B], uniform in [0, 1).
    ///   - lambda: the gradient-penalty weight (10 in the paper).
    ///
    /// Real and generated sentences go through the critic as one batch of 2B (one larger GEMM
    /// per layer); the penalty's interpolates go through separately, because their backward
    /// pass is a different computation. The penalty is the mean over the batch of
    /// (‖∂D/∂x̂ᵢ‖ − 1)² with every sample's own norm.
    public static func criticStep(generator: LanguageGenerator, critic: LanguageCritic, real: Tensor, noise: Tensor,
                                  alpha: Tensor, lambda: Float) -> CriticStep {
        let batch = real.shape[0]
        let fake = withoutGrad { generator(noise) }
        let scores = critic(Tensor.concatenate([real, fake]))
        let criticReal = scores.slice(0..<batch), criticFake = scores.slice(batch..<(2 * batch))
        let wasserstein = criticFake.mean() - criticReal.mean()

        let interpolates = withoutGrad { real + alpha.reshaped([batch, 1, 1]) * (fake - real) }
        let penalty = gradientPenalty(critic: critic, at: interpolates)
        let loss = wasserstein + penalty * lambda

        let gradients = Autodiff.gradients(of: loss, withRespectTo: critic.parameters)
        return CriticStep(loss: Double(loss.item), wasserstein: Double(wasserstein.item),
                          gradientPenalty: Double(penalty.item), gradients: gradients, fake: fake,
                          criticReal: criticReal.detached(), criticFake: criticFake.detached())
    }

    /// mean over the batch of (‖∂D(x̂ᵢ)/∂x̂ᵢ‖₂ − 1)², differentiable in the critic's parameters
    /// (the input gradient is computed with its graph recorded).
    public static func gradientPenalty(critic: LanguageCritic, at interpolates: Tensor) -> Tensor {
        let batch = interpolates.shape[0]
        let x = interpolates.detached().requiringGrad()
        let inputGradient = Autodiff.gradients(of: critic(x), withRespectTo: [x], createGraph: true)[0]
        let slopes = inputGradient.squared().sum(alongAxes: [1, 2]).reshaped([batch]).sqrt()
        return (slopes - 1).squared().mean()
    }

    /// The generator's loss −mean D(G(z)) and its gradients. The critic's weight gradients
    /// are never computed (only the path to the generator's parameters is walked).
    public static func generatorStep(generator: LanguageGenerator, critic: LanguageCritic, noise: Tensor) -> GeneratorStep {
        let loss = -critic(generator(noise)).mean()
        let gradients = Autodiff.gradients(of: loss, withRespectTo: generator.parameters)
        return GeneratorStep(loss: Double(loss.item), gradients: gradients)
    }
}

extension WGANGP.CriticStep {
    /// The step with its losses averaged over ranks: the global batch's (equal shares).
    func averagedOverRanks() -> WGANGP.CriticStep {
        guard Collectives.isDistributed else { return self }
        let means = Collectives.mean([loss, wasserstein, gradientPenalty])
        return WGANGP.CriticStep(loss: means[0], wasserstein: means[1], gradientPenalty: means[2], gradients: gradients,
                                 fake: fake, criticReal: criticReal, criticFake: criticFake)
    }
}
