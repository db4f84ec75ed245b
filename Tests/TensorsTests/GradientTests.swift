import Tensors
import XCTest
import _TestSupport

/// First-order finite-difference checks, one per operation.
final class GradientTests: XCTestCase {
    private func r(_ shape: Shape, _ seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        GradientCheck.random(shape, seed: seed, low: low, high: high)
    }

    func testArithmeticWithBroadcasting() {
        GradientCheck.assertGradients(of: { ($0[0] + $0[1]).squared().sum() }, at: [r([3, 4], 1), r([4], 2)])
        GradientCheck.assertGradients(of: { ($0[0] - $0[1]).squared().sum() }, at: [r([3, 4], 3), r([3, 1], 4)])
        GradientCheck.assertGradients(of: { ($0[0] * $0[1]).sum() * 2 }, at: [r([2, 3, 4], 5), r([2, 1, 1], 6)])
        GradientCheck.assertGradients(of: { ($0[0] / $0[1]).sum() }, at: [r([3, 4], 7), r([3, 4], 8, low: 1, high: 2)])
        GradientCheck.assertGradients(of: { ((3 * $0[0] + 1) - 2).squared().mean() }, at: [r([5], 9)])
        GradientCheck.assertGradients(of: { (1 - $0[0]).squared().sum() }, at: [r([5], 10)])
    }

    func testUnaryFunctions() {
        let positive = r([6], 11, low: 0.5, high: 2)
        GradientCheck.assertGradients(of: { ($0[0].sqrt() * $0[0]).sum() }, at: [positive])
        GradientCheck.assertGradients(of: { ($0[0].log() * $0[0]).sum() }, at: [positive])
        GradientCheck.assertGradients(of: { ($0[0].exp() * $0[0]).sum() }, at: [r([6], 12)])
        GradientCheck.assertGradients(of: { ($0[0].tanh() * $0[0]).sum() }, at: [r([6], 13)])
        GradientCheck.assertGradients(of: { ($0[0].sigmoid() * $0[0]).sum() }, at: [r([6], 14)])
    }

    func testReluFamilyAwayFromTheKink() {
        // Values at least 0.2 from zero, so the finite differences never straddle the kink.
        let values = Tensor([-1.2, -0.5, -0.2, 0.3, 0.8, 1.5], shape: [6])
        GradientCheck.assertGradients(of: { ($0[0].relu() * $0[0]).sum() }, at: [values])
        GradientCheck.assertGradients(of: { ($0[0].leakyRelu(slope: 0.2) * $0[0]).sum() }, at: [values])
    }

    func testReductionsAndShapes() {
        let weights = r([2, 3, 4], 15)
        GradientCheck.assertGradients(of: { ($0[0].sum(alongAxes: [1, 2]).squared() * weights.sum(alongAxes: [1, 2])).sum() },
                                      at: [r([2, 3, 4], 16)])
        GradientCheck.assertGradients(of: { ($0[0].sum(to: [4]).squared()).sum() }, at: [r([2, 3, 4], 17)])
        GradientCheck.assertGradients(of: { ($0[0].transposed() * weights.reshaped([4, 6]).slice(0..<4)).sum() },
                                      at: [r([6, 4], 18)])
        GradientCheck.assertGradients(of: { ($0[0].reshaped([4, 6]).slice(1..<3).squared()).sum() },
                                      at: [r([2, 3, 4], 19)])
        GradientCheck.assertGradients(of: { Tensor.concatenate([$0[0], $0[1] * 2]).squared().sum() },
                                      at: [r([2, 3], 20), r([1, 3], 21)])
        GradientCheck.assertGradients(of: { $0[0].broadcast(to: [3, 2, 4]).squared().sum() }, at: [r([2, 1], 22)])
    }

    func testSoftmax() {
        let weights = r([3, 5], 23)
        GradientCheck.assertGradients(of: { ($0[0].softmax() * weights).sum() }, at: [r([3, 5], 24)])
    }

    func testMatmulInEveryTransposition() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = r(ta ? [4, 3] : [3, 4], 25), b = r(tb ? [2, 4] : [4, 2], 26)
            GradientCheck.assertGradients(of: { $0[0].matmul($0[1], transposeA: ta, transposeB: tb).squared().sum() },
                                          at: [a, b])
        }
    }

    func testConvolutionAndItsAdjoints() {
        for width in [1, 3, 5] {
            let x = r([2, 6, 3], 27), w = r([width, 3, 4], 28), b = r([4], 29)
            GradientCheck.assertGradients(of: { $0[0].conv1d(weight: $0[1], bias: $0[2]).squared().sum() },
                                          at: [x, w, b])
            let g = r([2, 6, 4], 30)
            GradientCheck.assertGradients(of: { $0[0].conv1dInputGradient(weight: $0[1]).squared().sum() },
                                          at: [g, w])
            GradientCheck.assertGradients(
                of: { $0[0].conv1dWeightGradient(outputGradient: $0[1], width: width).squared().sum() }, at: [x, g])
        }
    }
}
