import Layers
import Tensors
import XCTest
import _TestSupport

/// Batch norm: normalisation with batch statistics and the running ones it tracks, and its
/// gradient through the batch statistics. (Moved from ImageGANTests: it tests the layer.)
final class BatchNormTests: XCTestCase {
    func testTrainingNormalisesAndTracksRunningStatistics() {
        let norm = BatchNorm(name: "bn", channels: 2)
        var random = RandomSource(seed: 1)
        let x = Tensor.randomNormal([4, 3, 3, 2], using: &random) * 3 + 5
        let y = norm(x).scalars
        for channel in 0..<2 {
            let values = stride(from: channel, to: y.count, by: 2).map { Double(y[$0]) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-3)
            let column = stride(from: channel, to: x.count, by: 2).map { Double(x.scalars[$0]) }
            let m = column.reduce(0, +) / Double(column.count)
            let unbiased = column.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(column.count - 1)
            XCTAssertEqual(Double(norm.runningMean.scalars[channel]), 0.1 * m, accuracy: 1e-4)
            XCTAssertEqual(Double(norm.runningVariance.scalars[channel]), 0.9 + 0.1 * unbiased, accuracy: 1e-3)
        }
        norm.isTraining = false
        let evaluated = norm(x).scalars
        let expected = (x.scalars[0] - norm.runningMean.scalars[0]) / (norm.runningVariance.scalars[0] + 1e-5).squareRoot()
        XCTAssertEqual(evaluated[0], expected, accuracy: 1e-5)
    }

    func testGradientThroughBatchStatistics() {
        let norm = BatchNorm(name: "bn", channels: 3)
        let x = GradientCheck.random([5, 3], seed: 2), w = GradientCheck.random([5, 3], seed: 3)
        GradientCheck.assertGradients(of: { (norm($0[0]) * $0[1]).sum() }, at: [x, w])
    }
}
