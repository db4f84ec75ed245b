import Layers
import Tensors

/// The losses and gradient computations of one WGAN-GP training iteration (Gulrajani et
/// al. 2017, as the TTUR paper's language experiment runs it).
public enum WGANGP {
    /// What a critic step computed (the shared WGAN-GP step's).
    public typealias CriticStep = WassersteinGradientPenalty.CriticStep
    /// What a generator step computed.
    public typealias GeneratorStep = WassersteinGradientPenalty.GeneratorStep

    /// The critic's loss and gradients: `WassersteinGradientPenalty.criticStep` on the
    /// language models.
    ///
    /// - Parameters:
    ///   - real: one-hot real sentences [B, seq, vocab].
    ///   - noise: generator input [B, noise].
    ///   - alpha: interpolation weights [B], uniform in [0, 1).
    ///   - lambda: the gradient-penalty weight (10 in the paper).
    public static func criticStep(generator: LanguageGenerator, critic: LanguageCritic, real: Tensor, noise: Tensor,
                                  alpha: Tensor, lambda: Float) -> CriticStep {
        WassersteinGradientPenalty.criticStep(generator: generator.callAsFunction, critic: critic.callAsFunction,
                                              criticParameters: critic.parameters, real: real, noise: noise,
                                              alpha: alpha, lambda: lambda)
    }

    /// mean over the batch of (‖∂D(x̂ᵢ)/∂x̂ᵢ‖₂ − 1)², differentiable in the critic's parameters.
    public static func gradientPenalty(critic: LanguageCritic, at interpolates: Tensor) -> Tensor {
        WassersteinGradientPenalty.penalty(critic: critic.callAsFunction, at: interpolates)
    }

    /// The generator's loss −mean D(G(z)) and its gradients.
    public static func generatorStep(generator: LanguageGenerator, critic: LanguageCritic, noise: Tensor) -> GeneratorStep {
        WassersteinGradientPenalty.generatorStep(generator: generator.callAsFunction, critic: critic.callAsFunction,
                                                 generatorParameters: generator.parameters, noise: noise)
    }
}
