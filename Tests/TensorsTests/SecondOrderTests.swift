import Tensors
import XCTest
import _TestSupport

/// Gradients of gradients: the gradient of a gradient-norm penalty, checked against finite
/// differences of the penalty itself.
final class SecondOrderTests: XCTestCase {
    private func r(_ shape: Shape, _ seed: UInt64, scale: Float = 1) -> Tensor {
        GradientCheck.random(shape, seed: seed, low: -scale, high: scale)
    }

    /// (‖g‖ − 1)², the WGAN-GP penalty of one sample.
    private let penalty: (Tensor) -> Tensor = { g in (g.squared().sum().sqrt() - 1).squared() }

    func testPenaltyThroughSmoothConvolutionalNetwork() {
        // x [1, 4, 3] → conv5 → tanh → conv3 → sigmoid → linear: every second-order term of
        // the engine's convolution adjoints and smooth activations is exercised.
        let f: ([Tensor]) -> Tensor = { t in
            let h = t[0].conv1d(weight: t[1], bias: t[2]).tanh()
            let k = h.conv1d(weight: t[3]).sigmoid()
            return k.reshaped([1, 8]).matmul(t[4]).sum()
        }
        GradientCheck.assertSecondOrderGradients(
            of: f, penalty: penalty,
            at: [r([1, 4, 3], 1), r([5, 3, 2], 2), r([2], 3, scale: 0.5), r([3, 2, 2], 4), r([8, 1], 5, scale: 2)])
    }

    func testPenaltyThroughMatmulSoftmaxAndElementwise() {
        let f: ([Tensor]) -> Tensor = { t in
            let h = (t[0].matmul(t[1]) * t[2]).softmax()
            return (h.exp() * t[2] + h.squared()).sum()
        }
        GradientCheck.assertSecondOrderGradients(of: f, penalty: penalty,
                                                 at: [r([2, 3], 6), r([3, 4], 7), r([2, 4], 8)])
    }

    func testPenaltyThroughReluResidualNetwork() {
        // The language model's shape in miniature: relu masks contribute nothing to second
        // order, so the penalty's gradient flows only through the weights of the backward pass.
        // Inputs stay well away from the kinks for the finite differences.
        let f: ([Tensor]) -> Tensor = { t in
            let h = t[0].conv1d(weight: t[1], bias: t[2])
            let y = h + h.relu().conv1d(weight: t[3]) * 0.3
            return y.reshaped([1, 12]).matmul(t[4]).sum()
        }
        GradientCheck.assertSecondOrderGradients(
            of: f, penalty: penalty,
            at: [r([1, 4, 2], 9), r([3, 2, 3], 10), r([3], 11, scale: 0.2), r([5, 3, 3], 12), r([12, 1], 13)],
            step: 2e-3, relativeTolerance: 3e-2, absoluteTolerance: 1e-2)
    }
}
