import XCTest
import Tensors

/// The engine's forward-only inference kernels (FID's Inception network runs on them)
/// against direct loops in float64.
final class InferenceKernelTests: XCTestCase {
    private func map(batch: Int, height: Int, width: Int, channels: Int, seed: Int) -> FeatureMap {
        let m = FeatureMap(batch: batch, height: height, width: width, channels: channels)
        for index in 0..<m.count { m.pointer[index] = Float((index * 7919 + seed * 104_729) % 2001 - 1000) / 1000 }
        return m
    }

    /// Rectangular kernels with asymmetric padding and strides, written at a channel offset of
    /// a wider map whose other channels must stay as they were.
    func testRectangularConvolutionMatchesDirectLoopAtChannelOffset() {
        let cases: [(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int))] = [
            ((1, 7), (1, 1), (0, 3)), ((7, 1), (1, 1), (3, 0)), ((3, 2), (2, 1), (1, 0)), ((1, 1), (1, 1), (0, 0)),
        ]
        let (batch, height, width, inChannels, outChannels) = (2, 9, 8, 3, 5)
        let input = map(batch: batch, height: height, width: width, channels: inChannels, seed: 1)
        for (index, geometry) in cases.enumerated() {
            let (kh, kw) = geometry.kernel
            let count = outChannels * kh * kw * inChannels
            let weights = (0..<count).map { Float(($0 * 31 + index) % 17 - 8) / 8 }
            let bias = (0..<outChannels).map { Float($0) / 4 - 0.5 }
            let convolution = Inference.Convolution(inChannels: inChannels, outChannels: outChannels, kernel: (kh, kw),
                                                    stride: geometry.stride, padding: geometry.padding,
                                                    weights: weights, bias: bias)
            let size = convolution.outputSize(height: height, width: width)
            let (offset, total) = (2, outChannels + 3)
            let output = FeatureMap(batch: batch, height: size.height, width: size.width, channels: total)
            for i in 0..<output.count { output.pointer[i] = 42 }
            convolution.apply(input, into: output, channelOffset: offset)
            for b in 0..<batch {
                for y in 0..<size.height {
                    for x in 0..<size.width {
                        let pixel = output.pointer + ((b * size.height + y) * size.width + x) * total
                        for o in 0..<outChannels {
                            var sum = Double(bias[o])
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = y * geometry.stride.0 - geometry.padding.0 + ky
                                    let ix = x * geometry.stride.1 - geometry.padding.1 + kx
                                    if iy < 0 || iy >= height || ix < 0 || ix >= width { continue }
                                    for c in 0..<inChannels {
                                        sum += Double(weights[((o * kh + ky) * kw + kx) * inChannels + c])
                                            * Double(input.pointer[((b * height + iy) * width + ix) * inChannels + c])
                                    }
                                }
                            }
                            XCTAssertEqual(Double(pixel[offset + o]), max(sum, 0), accuracy: 1e-5,
                                           "kernel \(geometry.kernel) at \(b),\(y),\(x),\(o)")
                        }
                        for c in 0..<total where c < offset || c >= offset + outChannels {
                            XCTAssertEqual(pixel[c], 42, "channel \(c) outside the slice was written")
                        }
                    }
                }
            }
        }
    }

    /// 3×3 max pooling (padding as −∞) and average pooling without the padding in the divisor.
    func testPoolingMatchesDirectLoop() {
        let input = map(batch: 2, height: 7, width: 6, channels: 4, seed: 2)
        for (stride, padding, average) in [(2, 0, false), (1, 1, false), (1, 1, true)] {
            let oh = Inference.pool3x3OutputSize(7, stride: stride, padding: padding)
            let ow = Inference.pool3x3OutputSize(6, stride: stride, padding: padding)
            let output = FeatureMap(batch: 2, height: oh, width: ow, channels: 4)
            if average {
                Inference.averagePool3x3(input, into: output, channelOffset: 0)
            } else {
                Inference.maxPool3x3(input, stride: stride, padding: padding, into: output, channelOffset: 0)
            }
            for b in 0..<2 {
                for y in 0..<oh {
                    for x in 0..<ow {
                        for c in 0..<4 {
                            var values: [Double] = []
                            for iy in y * stride - padding ..< y * stride - padding + 3 where iy >= 0 && iy < 7 {
                                for ix in x * stride - padding ..< x * stride - padding + 3 where ix >= 0 && ix < 6 {
                                    values.append(Double(input.pointer[((b * 7 + iy) * 6 + ix) * 4 + c]))
                                }
                            }
                            let expected = average ? values.reduce(0, +) / Double(values.count) : values.max()!
                            XCTAssertEqual(Double(output.pointer[((b * oh + y) * ow + x) * 4 + c]), expected, accuracy: 1e-6)
                        }
                    }
                }
            }
        }
    }

    /// Bilinear resize of a uint8 image: an upscale reproduces a linear ramp between the pixel
    /// centres, and the spatial mean of a constant image is that constant.
    func testResizeAndSpatialMean() {
        let pixels: [UInt8] = [0, 255, 0, 255]
        let output = FeatureMap(batch: 1, height: 4, width: 4, channels: 1)
        pixels.withUnsafeBufferPointer {
            Inference.resizeBilinear($0.baseAddress!, height: 2, width: 2, into: output, at: 0, scale: 2, shift: -1)
        }
        // Source x = (dst + ½)/2 − ½ clamped: 0, 0.25, 0.75, 1 (clamped high).
        let row = (0..<4).map { output.pointer[$0] }
        XCTAssertEqual(row, [-1, -0.5, 0.5, 1])
        let constant = FeatureMap(batch: 2, height: 3, width: 3, channels: 2)
        for i in 0..<constant.count { constant.pointer[i] = i % 2 == 0 ? 0.25 : -3 }
        XCTAssertEqual(constant.spatialMean(), [0.25, -3, 0.25, -3])
    }
}
