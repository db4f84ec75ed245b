import Tensors
import XCTest
import _TestSupport

/// Parity with ../shared/fixtures/wgan_language_step.safetensors, written by
/// ../shared/reference/wgan_language_torch.py in float64: one critic step then one generator
/// step (against the updated critic) must reproduce its losses, every gradient and every
/// Adam-updated weight to ≤ 1e-4 relative error (max |ours − theirs| / max |theirs| per tensor).
final class FixtureParityTests: XCTestCase {
    static let tolerance = 1e-4

    func testOneCriticStepAndOneGeneratorStepMatchPyTorch() throws {
        let outcome = try LanguageStepFixture("fixtures/wgan_language_step.safetensors").run()
        LanguageStepFixture.assertWithin(outcome) { Self.tolerance * max($0.scale, 1e-30) }
    }
}
