import Tensors
import XCTest
import _TestSupport

/// Layer norm over (H, W, C) per sample with per-channel scale and offset: forward against
/// float64 arithmetic, finite differences, gradients of gradients.
final class NormalizationTests: XCTestCase {
    private func r(_ shape: Shape, _ seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        GradientCheck.random(shape, seed: seed, low: low, high: high)
    }

    func testLayerNormMatchesTheFormulaInDoublePrecision() {
        let (batch, features, channels) = (3, 4 * 5 * 6, 6)
        let x = r([batch, 4, 5, channels], 1, low: -2, high: 3), scale = r([channels], 2), offset = r([channels], 3)
        let y = x.layerNormalized(scale: scale, offset: offset).scalars
        let values = x.scalars.map(Double.init)
        for b in 0..<batch {
            let sample = values[(b * features)..<((b + 1) * features)]
            let mean = sample.reduce(0, +) / Double(features)
            let variance = sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(features)
            for (i, value) in sample.enumerated() {
                let c = i % channels
                let expected = (value - mean) / (variance + 1e-5).squareRoot() * Double(scale.scalars[c])
                    + Double(offset.scalars[c])
                XCTAssertEqual(Double(y[b * features + i]), expected, accuracy: 1e-5)
            }
        }
    }

    func testLayerNormDoesNotMixSamples() {
        let x = r([3, 2, 2, 4], 4), scale = r([4], 5), offset = r([4], 6)
        let whole = x.layerNormalized(scale: scale, offset: offset).scalars
        let second = x.slice(1..<2).layerNormalized(scale: scale, offset: offset).scalars
        XCTAssertEqual(Array(whole[16..<32]), second)
    }

    func testLayerNormGradientsByFiniteDifferences() {
        let weights = r([2, 3, 2, 3], 7)
        GradientCheck.assertGradients(
            of: { ($0[0].layerNormalized(scale: $0[1], offset: $0[2]) * weights).squared().sum() },
            at: [r([2, 3, 2, 3], 8), r([3], 9), r([3], 10)], step: 5e-3)
    }

    /// The penalty through convolution → layer norm → tanh → linear, as in the image critic.
    func testLayerNormSecondOrder() {
        let geometry = Convolution2DGeometry(kernel: 3, padding: 1)
        let f: ([Tensor]) -> Tensor = { t in
            let h = t[0].conv2d(weight: t[1], geometry: geometry).layerNormalized(scale: t[2], offset: t[3]).tanh()
            return h.reshaped([1, 18]).matmul(t[4]).sum()
        }
        GradientCheck.assertSecondOrderGradients(
            of: f, penalty: { g in (g.squared().sum().sqrt() - 1).squared() },
            at: [r([1, 3, 2, 2], 11), r([3, 3, 2, 3], 12, low: -0.5, high: 0.5), r([3], 13, low: 0.5, high: 1.5),
                 r([3], 14, low: -0.2, high: 0.2), r([18, 1], 15)], step: 5e-3)
    }

    /// The fused kernel's gradient (backward not recorded) equals the rule built from
    /// differentiable operations (backward recorded, as inside the gradient penalty).
    func testFusedBackwardEqualsTheDifferentiableRule() {
        let x = r([3, 4, 2, 5], 17, low: -2, high: 2), scale = r([5], 18), offset = r([5], 19)
        let weights = r([3, 4, 2, 5], 20)
        let leaves = [x, scale, offset].map { $0.requiringGrad() }
        let y = (leaves[0].layerNormalized(scale: leaves[1], offset: leaves[2]) * weights).squared().sum()
        let fast = Autodiff.gradients(of: y, withRespectTo: leaves)
        let recorded = Autodiff.gradients(of: y, withRespectTo: leaves, createGraph: true)
        for (a, b) in zip(fast, recorded) {
            for (u, v) in zip(a.scalars, b.scalars) { XCTAssertEqual(u, v, accuracy: 1e-4 * max(1, abs(v))) }
        }
    }

    /// Batch norm (which shares `standardized`) normalises each channel over the batch and positions.
    func testStandardizedOverChannelsIsBatchStatistics() {
        let x = r([8, 3], 16)
        let s = x.standardized(statisticsShape: [3], epsilon: 0)
        for c in 0..<3 {
            let column = (0..<8).map { Double(s.normalized.scalars[$0 * 3 + c]) }
            XCTAssertEqual(column.reduce(0, +) / 8, 0, accuracy: 1e-6)
            XCTAssertEqual(column.reduce(0) { $0 + $1 * $1 } / 8, 1, accuracy: 1e-5)
        }
    }
}
