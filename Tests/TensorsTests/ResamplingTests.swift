import Tensors
import XCTest
import _TestSupport

/// Nearest 2× upsampling and 2×2 pooling: forward against plain loops, adjointness, finite
/// differences, and gradients of gradients (the WGAN-GP image penalty differentiates through both).
final class ResamplingTests: XCTestCase {
    private func r(_ shape: Shape, _ seed: UInt64, scale: Float = 1) -> Tensor {
        GradientCheck.random(shape, seed: seed, low: -scale, high: scale)
    }

    func testUpsampleCopiesEachPixelToA2x2Block() {
        let x = r([2, 3, 4, 5], 1)
        let y = x.upsampledNearest2x()
        XCTAssertEqual(y.shape, [2, 6, 8, 5])
        let a = x.scalars, b = y.scalars
        for n in 0..<2 { for i in 0..<6 { for j in 0..<8 { for c in 0..<5 {
            XCTAssertEqual(b[((n * 6 + i) * 8 + j) * 5 + c], a[((n * 3 + i / 2) * 4 + j / 2) * 5 + c])
        } } } }
    }

    func testMeanPoolAveragesEach2x2Block() {
        let x = r([2, 4, 6, 3], 2)
        let y = x.meanPooled2x2()
        XCTAssertEqual(y.shape, [2, 2, 3, 3])
        let a = x.scalars, b = y.scalars
        func at(_ n: Int, _ i: Int, _ j: Int, _ c: Int) -> Float { a[((n * 4 + i) * 6 + j) * 3 + c] }
        for n in 0..<2 { for i in 0..<2 { for j in 0..<3 { for c in 0..<3 {
            let mean = (at(n, 2 * i, 2 * j, c) + at(n, 2 * i, 2 * j + 1, c) + at(n, 2 * i + 1, 2 * j, c)
                        + at(n, 2 * i + 1, 2 * j + 1, c)) / 4
            XCTAssertEqual(b[((n * 2 + i) * 3 + j) * 3 + c], mean, accuracy: 1e-6)
        } } } }
    }

    /// ⟨up(x), y⟩ = ⟨x, sumpool(y)⟩.
    func testUpsampleAndSumPoolAreAdjoint() {
        let x = r([3, 5, 4, 2], 3), y = r([3, 10, 8, 2], 4)
        let left = zip(x.upsampledNearest2x().scalars, y.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let right = zip(x.scalars, y.sumPooled2x2().scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        XCTAssertEqual(left, right, accuracy: 1e-5 * max(1, abs(left)))
    }

    func testGradientsByFiniteDifferences() {
        let w = r([2, 6, 4, 3], 5)
        GradientCheck.assertGradients(of: { ($0[0].upsampledNearest2x() * $0[1]).squared().sum() },
                                      at: [r([2, 3, 2, 3], 6), w])
        GradientCheck.assertGradients(of: { ($0[0].meanPooled2x2() * $0[1]).squared().sum() },
                                      at: [r([2, 4, 6, 2], 7), r([2, 2, 3, 2], 8)])
    }

    /// The penalty (‖∂f/∂x‖ − 1)² through convolution → upsample → tanh → convolution →
    /// mean pool: second-order terms reach every weight through both resamplings' rules.
    func testSecondOrderThroughUpsampleAndMeanPool() {
        let geometry = Convolution2DGeometry(kernel: 3, padding: 1)
        let f: ([Tensor]) -> Tensor = { t in
            let h = t[0].conv2d(weight: t[1], geometry: geometry).upsampledNearest2x().tanh()
            let k = h.conv2d(weight: t[2], bias: t[3], geometry: geometry).meanPooled2x2().sigmoid()
            return k.reshaped([1, 12]).matmul(t[4]).sum()
        }
        GradientCheck.assertSecondOrderGradients(
            of: f, penalty: { g in (g.squared().sum().sqrt() - 1).squared() },
            at: [r([1, 2, 3, 2], 9), r([3, 3, 2, 2], 10, scale: 0.5), r([3, 3, 2, 2], 11, scale: 0.5),
                 r([2], 12, scale: 0.2), r([12, 1], 13, scale: 2)])
    }
}
