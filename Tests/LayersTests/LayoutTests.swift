import Layers
import Tensors
import XCTest

/// PyTorch layouts: every layout converts to PyTorch's element order and back unchanged,
/// a linear layer's weight is PyTorch's transposed, and a network's state loads whole or not
/// at all.
final class LayoutTests: XCTestCase {
    private let layouts: [(ParameterLayout, count: Int)] = [
        (.identical, 6),
        (.flattenedVector(FeatureOrder(channels: 3, length: 4)), 12),
        (.linear(inFeatures: 6, outFeatures: 4, input: FeatureOrder(channels: 2, length: 3), output: FeatureOrder(channels: 2, length: 2)), 24),
        (.linear(inFeatures: 5, outFeatures: 3, input: nil, output: nil), 15),
        (.convolution(width: 5, inChannels: 3, outChannels: 2), 30),
        (.convolution2D(kernel: 3, inChannels: 2, outChannels: 4), 72),
    ]

    func testEveryLayoutRoundTrips() {
        for (layout, count) in layouts {
            let values = (0..<count).map(Float.init)
            let torch = layout.toTorch(values)
            XCTAssertEqual(Set(torch), Set(values), "\(layout) is a permutation")
            XCTAssertEqual(layout.fromTorch(torch), values, "\(layout)")
        }
    }

    /// y = x·W + b with W stored [in, out]; PyTorch's weight is [out, in].
    func testLinearIsXTimesWPlusBAndItsTorchWeightIsTransposed() throws {
        var random = RandomSource(seed: 5)
        let linear = Linear(name: "fc", inFeatures: 3, outFeatures: 2, random: &random)
        let state = linear.torchState()
        XCTAssertEqual(state["fc.weight"]?.shape, [2, 3])
        let w = linear.weight.scalars  // [in, out]
        for o in 0..<2 { for i in 0..<3 { XCTAssertEqual(state["fc.weight"]!.values[o * 3 + i], w[i * 2 + o]) } }
        let x = Tensor([1, 2, 3], shape: [1, 3])
        let y = linear(x).scalars
        for o in 0..<2 {
            let expected = (0..<3).map { Float($0 + 1) * w[$0 * 2 + o] }.reduce(0, +) + linear.bias.scalars[o]
            XCTAssertEqual(y[o], expected, accuracy: 1e-6)
        }
    }

    func testStateLoadsWholeOrNotAtAll() throws {
        var random = RandomSource(seed: 6)
        let a = Linear(name: "fc", inFeatures: 3, outFeatures: 2, random: &random)
        let b = Linear(name: "fc", inFeatures: 3, outFeatures: 2, random: &random)
        try b.load(torchState: a.torchState())
        XCTAssertEqual(b.weight.scalars, a.weight.scalars)
        let before = b.weight.scalars
        var broken = Linear(name: "fc", inFeatures: 3, outFeatures: 2, random: &random).torchState()
        broken["fc.bias"] = (shape: [3], values: [0, 0, 0])
        XCTAssertThrowsError(try b.load(torchState: broken))
        XCTAssertEqual(b.weight.scalars, before, "a failed load changes nothing")
        broken["fc.bias"] = nil
        XCTAssertThrowsError(try b.load(torchState: broken)) { XCTAssertTrue("\($0)".contains("missing parameter fc.bias")) }
    }
}
