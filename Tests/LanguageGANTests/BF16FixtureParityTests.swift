import Foundation
import Tensors
import XCTest
import _TestSupport

/// A full language WGAN-GP step (critic step with gradient penalty, generator step, both Adam
/// updates) with the engine's GEMMs in bf16 (oneDNN), against the float64 fixtures — the
/// comparisons of `FixtureParityTests` under tolerances derived from bf16's 8 bits.
///
/// Derivation. Rounding an operand to bf16 multiplies it by (1 + δ), |δ| ≤ u = 2⁻⁸; the
/// product of two bf16 values is exact in fp32 and fp32 accumulation adds ≤ k·2⁻²⁴ (2·10⁻⁵
/// at k = 320). So a bf16 GEMM is an exact GEMM on operands perturbed relatively by at most u
/// (backward error), and the bf16 step is the fp32 step with every GEMM's operands so
/// perturbed. How far that moves each quantity depends on its conditioning, which no a-priori
/// count of layers captures: a first, fixed model (errors adding in quadrature over the
/// GEMM chain, τ(D) = 5·√D·√(2/3)·u, 0.055–0.12) held for losses and forward outputs but not
/// for bias gradients, where ∂W/∂b is a difference of a mean over fake and a mean over real
/// samples that cancel (observed up to 0.33 of max|ref| against 0.014 allowed, with a
/// software round-to-nearest-even emulation giving the same errors as oneDNN to four digits,
/// so not a kernel bug). The conditioning is therefore measured, by Monte Carlo arithmetic
/// (Parker, "Monte Carlo Arithmetic", 1997; the probabilistic model of Higham & Mary, SIAM
/// J. Sci. Comput. 2019): the step is run R = 8 more times with every GEMM operand element
/// multiplied by 1 + δ, δ uniform on [−u, u] (variance u²/3, above round-to-nearest's ≈ u²/6
/// for log-uniform data: a conservative model), and each quantity's error against the fixture
/// may be at most
///
///     K · RMS over the R runs of that quantity's error  +  10⁻⁴ · max|ref|,   K = 3,
///
/// the second term being the fp32 parity tolerance the fp32 step itself needs. (R and K are
/// fixed here, not fitted: the error metric, a maximum over a tensor, is concentrated, and 3
/// RMS lies far in the tail of such a draw.)
/// Weights after one Adam step have a rigorous bound instead: the first update is
/// lr·g/(|g| + ε) ∈ (−lr, lr), so any gradient error moves a weight by < 2·lr (+ fp32
/// rounding, 2⁻²³·max|w|).
/// The step must also visibly run in bf16: some quantity must differ from the fixture by more
/// than ten times the fp32 parity tolerance.
final class BF16FixtureParityTests: XCTestCase {
    static let runs = 8, factor = 3.0

    private func check(_ fixture: String) throws {
        try BF16.withBackend { try checkWithBackend(fixture) }
    }

    private func checkWithBackend(_ fixture: String) throws {
        let outcome = try Engine.withPrecision(.bf16) { try LanguageStepFixture(fixture).run() }
        let perturbed = try BF16.perturbedRuns(Self.runs) { try LanguageStepFixture(fixture).run() }
        var allowed: [Double] = []
        for (index, comparison) in outcome.comparisons.enumerated() {
            let floor = FixtureParityTests.tolerance * comparison.scale
            switch comparison.quantity {
            case .criticAfterStep:
                allowed.append(2 * outcome.metadata["lr_critic"]! + 0x1p-23 * comparison.scale)
            case .generatorAfterStep:
                allowed.append(2 * outcome.metadata["lr_gen"]! + 0x1p-23 * comparison.scale)
            default:
                let errors = perturbed.map { $0.comparisons[index].error }
                XCTAssertTrue(perturbed.allSatisfy { $0.comparisons[index].name == comparison.name })
                allowed.append(Self.factor * BF16.rms(errors) + floor)
            }
        }
        var index = 0
        LanguageStepFixture.assertWithin(outcome) { _ in defer { index += 1 }; return allowed[index] }
        // The margins, for the record: the worst quantity under the Monte Carlo bound, and
        // under the Adam bound (a weight whose tiny gradient changed sign sits at 2·lr).
        let margins = zip(outcome.comparisons, allowed).map { ($0, $0.error / $1) }
        for adam in [false, true] {
            let group = margins.filter { [.criticAfterStep, .generatorAfterStep].contains($0.0.quantity) == adam }
            let worst = group.max { $0.1 < $1.1 }!
            print("\(fixture): worst \(worst.0.name) at \(worst.1) of its bound "
                  + "(error / max|ref| \(worst.0.error / max(worst.0.scale, 1e-30)))")
        }
        let largestRelative = outcome.comparisons.map { $0.error / max($0.scale, 1e-30) }.max()!
        XCTAssertGreaterThan(largestRelative, 10 * FixtureParityTests.tolerance, "no bf16 rounding visible: did fp32 run?")
    }

    func testBF16StepMatchesTheFloat64Fixture() throws {
        try check("fixtures/wgan_language_step.safetensors")
    }

    func testBF16StepMatchesTheDim64Fixture() throws {
        // dim 64, seq 32, vocab 96, batch 16: the width-5 convolutions sum over 320 products.
        try check("fixtures/wgan_language_step_dim64.safetensors")
    }

    func testFP32StepMatchesTheDim64Fixture() throws {
        // The fp32 path on the larger fixture, under FixtureParityTests' tolerance.
        let outcome = try LanguageStepFixture("fixtures/wgan_language_step_dim64.safetensors").run()
        LanguageStepFixture.assertWithin(outcome) { FixtureParityTests.tolerance * max($0.scale, 1e-30) }
    }
}
