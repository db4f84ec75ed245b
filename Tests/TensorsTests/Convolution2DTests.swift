import Tensors
import XCTest
import _TestSupport

/// The 2-D convolution family against a direct loop and finite differences.
final class Convolution2DTests: XCTestCase {
    private func r(_ shape: Shape, _ seed: UInt64) -> Tensor { GradientCheck.random(shape, seed: seed) }

    /// out[b, y, x, o] = Σ in[b, y·s + i − p, x·s + j − p, c] · w[i, j, c, o], written as plainly as possible.
    private func direct(_ input: Tensor, _ weight: Tensor, _ g: Convolution2DGeometry) -> [Float] {
        let (batch, height, width, channels) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let outChannels = weight.shape[3]
        let outH = g.outputExtent(height), outW = g.outputExtent(width)
        let x = input.scalars, w = weight.scalars
        var out = [Float](repeating: 0, count: batch * outH * outW * outChannels)
        for b in 0..<batch { for y in 0..<outH { for xx in 0..<outW { for o in 0..<outChannels {
            var total: Float = 0
            for i in 0..<g.kernel { for j in 0..<g.kernel { for c in 0..<channels {
                let sy = y * g.stride + i - g.padding, sx = xx * g.stride + j - g.padding
                if sy < 0 || sy >= height || sx < 0 || sx >= width { continue }
                total += x[((b * height + sy) * width + sx) * channels + c]
                    * w[((i * g.kernel + j) * channels + c) * outChannels + o]
            } } }
            out[((b * outH + y) * outW + xx) * outChannels + o] = total
        } } } }
        return out
    }

    func testForwardMatchesDirectLoop() {
        for (kernel, stride, padding) in [(1, 1, 0), (3, 1, 1), (5, 2, 2), (4, 2, 1), (3, 2, 0)] {
            let geometry = Convolution2DGeometry(kernel: kernel, stride: stride, padding: padding)
            let x = r([2, 7, 6, 3], 1), w = r([kernel, kernel, 3, 4], 2)
            let y = x.conv2d(weight: w, geometry: geometry)
            XCTAssertEqual(y.shape, [2, geometry.outputExtent(7), geometry.outputExtent(6), 4])
            for (a, b) in zip(y.scalars, direct(x, w, geometry)) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
    }

    /// ⟨conv(x), g⟩ = ⟨x, convᵀ(g)⟩ = ⟨w, dW(x, g)⟩: the three kernels are adjoint.
    func testAdjointIdentities() {
        let geometry = Convolution2DGeometry(kernel: 5, stride: 2, padding: 2)
        let x = r([3, 8, 8, 2], 3), w = r([5, 5, 2, 5], 4)
        let y = x.conv2d(weight: w, geometry: geometry)
        let g = r(y.shape, 5)
        let forward = zip(y.scalars, g.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let dx = g.conv2dInputGradient(weight: w, geometry: geometry, height: 8, width: 8)
        XCTAssertEqual(dx.shape, x.shape)
        let viaInput = zip(x.scalars, dx.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let dw = x.conv2dWeightGradient(outputGradient: g, geometry: geometry)
        let viaWeight = zip(w.scalars, dw.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        XCTAssertEqual(forward, viaInput, accuracy: 1e-4 * max(1, abs(forward)))
        XCTAssertEqual(forward, viaWeight, accuracy: 1e-4 * max(1, abs(forward)))
    }

    func testGradientsOfTheFamily() {
        for (kernel, stride, padding, size) in [(1, 1, 0, 3), (3, 1, 1, 4), (5, 2, 2, 6), (3, 2, 1, 5)] {
            let geometry = Convolution2DGeometry(kernel: kernel, stride: stride, padding: padding)
            let x = r([2, size, size, 2], 6), w = r([kernel, kernel, 2, 3], 7), b = r([3], 8)
            GradientCheck.assertGradients(
                of: { $0[0].conv2d(weight: $0[1], bias: $0[2], geometry: geometry).squared().sum() }, at: [x, w, b])
            let out = geometry.outputExtent(size)
            let g = r([2, out, out, 3], 9)
            GradientCheck.assertGradients(
                of: { $0[0].conv2dInputGradient(weight: $0[1], geometry: geometry, height: size, width: size)
                        .squared().sum() }, at: [g, w])
            GradientCheck.assertGradients(
                of: { $0[0].conv2dWeightGradient(outputGradient: $0[1], geometry: geometry).squared().sum() },
                at: [x, g])
        }
    }

    /// A DCGAN generator stage: 4×4 → 8×8 with a 5×5, stride-2 transposed convolution
    /// (PyTorch's padding 2, output_padding 1).
    func testTransposedConvolutionDoublesTheSize() {
        let geometry = Convolution2DGeometry(kernel: 5, stride: 2, padding: 2)
        let x = r([1, 4, 4, 3], 10), w = r([5, 5, 2, 3], 11), b = r([2], 12)
        let y = x.convTranspose2d(weight: w, bias: b, geometry: geometry, height: 8, width: 8)
        XCTAssertEqual(y.shape, [1, 8, 8, 2])
        GradientCheck.assertGradients(
            of: { $0[0].convTranspose2d(weight: $0[1], bias: $0[2], geometry: geometry, height: 8, width: 8)
                    .tanh().sum() }, at: [x, w, b])
    }

    /// Gradients of gradients through a strided convolution (a gradient penalty on a small
    /// convolutional critic).
    func testSecondOrderThroughConvolution() {
        let geometry = Convolution2DGeometry(kernel: 3, stride: 2, padding: 1)
        let f: ([Tensor]) -> Tensor = { t in
            let h = t[0].conv2d(weight: t[1], bias: t[2], geometry: geometry).tanh()
            return h.reshaped([1, 8]).matmul(t[3]).sum()
        }
        GradientCheck.assertSecondOrderGradients(
            of: f, penalty: { ($0.squared().sum() - 1).squared() },
            at: [r([1, 4, 4, 2], 13), r([3, 3, 2, 2], 14), r([2], 15), r([8, 1], 16)])
    }

    func testSoftplusAndLogSoftmax() {
        let x = Tensor([-100, -2, 0, 3, 100], shape: [5])
        let y = x.softplus().scalars
        XCTAssertEqual(y[0], 0, accuracy: 1e-30)
        XCTAssertEqual(y[2], Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(y[4], 100, accuracy: 1e-5)
        GradientCheck.assertGradients(of: { ($0[0] * 3).softplus().sum() }, at: [r([7], 17)])
        let logits = r([3, 4], 18)
        let viaSoftmax = logits.softmax().log().scalars
        for (a, b) in zip(logits.logSoftmax().scalars, viaSoftmax) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        GradientCheck.assertGradients(of: { ($0[0].logSoftmax() * $0[1]).sum() }, at: [logits, r([3, 4], 19)])
    }
}
