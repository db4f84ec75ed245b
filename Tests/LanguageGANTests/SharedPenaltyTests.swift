import LanguageGAN
import Layers
import Tensors
import XCTest

/// The language WGAN-GP's penalty and the shared `WassersteinGradientPenalty` compute the same
/// function, so the language step can switch to the shared one without changing a number.
final class SharedPenaltyTests: XCTestCase {
    func testLanguagePenaltyEqualsTheSharedOne() {
        let shape = LanguageModelShape(dim: 8, sequenceLength: 6, vocabularySize: 5, noise: 4, residualBlocks: 2)
        var random = RandomSource(seed: 3)
        let critic = LanguageCritic(shape, random: &random)
        let x = Tensor.randomUniform([4, shape.sequenceLength, shape.vocabularySize], using: &random)
        let ours = WGANGP.gradientPenalty(critic: critic, at: x)
        let shared = WassersteinGradientPenalty.penalty(critic: critic.callAsFunction, at: x)
        XCTAssertEqual(ours.item, shared.item)
        let a = Autodiff.gradients(of: ours, withRespectTo: critic.parameters)
        let b = Autodiff.gradients(of: shared, withRespectTo: critic.parameters)
        for (u, v) in zip(a, b) { XCTAssertEqual(u.scalars, v.scalars) }
    }
}
