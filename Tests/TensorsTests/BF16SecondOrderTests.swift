import Tensors
import XCTest
import _TestSupport

/// Second-order autodiff in bf16: the gradient of a WGAN-GP style penalty (‖∂f/∂x‖ − 1)² with
/// respect to the weights runs GEMMs in its forward pass, its backward pass and the backward
/// of that backward. In bf16 it must agree with the fp32 result (which `SecondOrderTests`
/// checks against finite differences) as closely as bf16 rounding allows, measured the way
/// `BF16FixtureParityTests` derives it: each bf16 GEMM is an exact GEMM on operands perturbed
/// relatively by ≤ u = 2⁻⁸, so the error may be at most K = 3 times the RMS error of R = 8
/// Monte Carlo runs with every GEMM operand multiplied by 1 + δ, δ ~ U[−u, u], plus the fp32
/// tolerance 10⁻⁵ of the reference itself.
final class BF16SecondOrderTests: XCTestCase {
    /// Gradients of the penalty with respect to the weights of a small convolutional network:
    /// x [2, 16, 8] → conv5 (+bias) → tanh → conv3 → sigmoid → linear to one score per sample.
    private func penaltyGradients() -> [[Float]] {
        let x = GradientCheck.random([2, 16, 8], seed: 1).requiringGrad()
        let w1 = GradientCheck.random([5, 8, 16], seed: 2, low: -0.3, high: 0.3).requiringGrad()
        let b1 = GradientCheck.random([16], seed: 3, low: -0.1, high: 0.1).requiringGrad()
        let w2 = GradientCheck.random([3, 16, 16], seed: 4, low: -0.3, high: 0.3).requiringGrad()
        let w3 = GradientCheck.random([16 * 16, 1], seed: 5, low: -0.2, high: 0.2).requiringGrad()
        let scores = x.conv1d(weight: w1, bias: b1).tanh().conv1d(weight: w2).sigmoid()
            .reshaped([2, 16 * 16]).matmul(w3)
        let inputGradient = Autodiff.gradients(of: scores.sum(), withRespectTo: [x], createGraph: true)[0]
        let slopes = inputGradient.squared().sum(alongAxes: [1, 2]).reshaped([2]).sqrt()
        let penalty = (slopes - 1).squared().mean()
        return Autodiff.gradients(of: penalty, withRespectTo: [w1, b1, w2, w3]).map(\.scalars)
    }

    private func maxError(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).map { abs(Double($0) - Double($1)) }.max() ?? 0
    }

    func testPenaltyGradientInBF16AgreesWithFP32WithinBF16Rounding() throws {
        let fp32 = penaltyGradients()
        let (bf16, perturbed) = try BF16.withBackend {
            (try Engine.withPrecision(.bf16) { penaltyGradients() }, try BF16.perturbedRuns(8) { penaltyGradients() })
        }
        for (index, name) in ["w1", "b1", "w2", "w3"].enumerated() {
            let scale = fp32[index].map { abs(Double($0)) }.max()!
            XCTAssertGreaterThan(scale, 0, "\(name): the penalty gradient vanishes")
            let error = maxError(bf16[index], fp32[index])
            let allowed = 3 * BF16.rms(perturbed.map { maxError($0[index], fp32[index]) }) + 1e-5 * scale
            XCTAssertLessThanOrEqual(error, allowed, "\(name): bf16 error \(error), allowed \(allowed), scale \(scale)")
            XCTAssertGreaterThan(error, 0, "\(name): bf16 gave the fp32 result exactly: did bf16 run?")
        }
    }
}
