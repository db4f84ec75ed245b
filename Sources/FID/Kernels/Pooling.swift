import Foundation

/// Pooling and resizing kernels on channels-last maps, written into a destination's
/// channel slice like the convolutions.
enum Pooling {
    /// max_pool2d(kernel 3, `stride`, `padding`), padding treated as −∞.
    static func max3x3(_ input: FeatureMap, stride: Int, padding: Int, into output: FeatureMap, channelOffset: Int) {
        window3x3(input, stride: stride, padding: padding, into: output, channelOffset: channelOffset, average: false)
    }

    /// avg_pool2d(kernel 3, stride 1, padding 1, count_include_pad=False): the divisor is the
    /// number of window positions inside the image (pytorch-fid's FID blocks use this).
    static func average3x3(_ input: FeatureMap, into output: FeatureMap, channelOffset: Int) {
        window3x3(input, stride: 1, padding: 1, into: output, channelOffset: channelOffset, average: true)
    }

    static func outputSize(_ length: Int, stride: Int, padding: Int) -> Int {
        (length + 2 * padding - 3) / stride + 1
    }

    private static func window3x3(_ input: FeatureMap, stride: Int, padding: Int, into output: FeatureMap,
                                  channelOffset: Int, average: Bool) {
        let (h, w, c) = (input.height, input.width, input.channels)
        let (oh, ow) = (outputSize(h, stride: stride, padding: padding), outputSize(w, stride: stride, padding: padding))
        precondition(output.height == oh && output.width == ow && output.batch == input.batch)
        let ldc = output.channels
        let source = input.pointer, destination = output.pointer + channelOffset
        parallelFor(input.batch * oh) { row in
            let image = row / oh, y = row % oh
            let y0 = max(y * stride - padding, 0), y1 = min(y * stride - padding + 3, h)
            for x in 0..<ow {
                let x0 = max(x * stride - padding, 0), x1 = min(x * stride - padding + 3, w)
                let target = destination + ((image * oh + y) * ow + x) * ldc
                let first = source + ((image * h + y0) * w + x0) * c
                target.update(from: first, count: c)
                for iy in y0..<y1 {
                    for ix in x0..<x1 where iy != y0 || ix != x0 {
                        let pixel = source + ((image * h + iy) * w + ix) * c
                        if average {
                            for channel in 0..<c { target[channel] += pixel[channel] }
                        } else {
                            for channel in 0..<c { target[channel] = max(target[channel], pixel[channel]) }
                        }
                    }
                }
                if average {
                    let scale = 1 / Float((y1 - y0) * (x1 - x0))
                    for channel in 0..<c { target[channel] *= scale }
                }
            }
        }
    }
}

/// pytorch-fid's input transform: uint8 → [0, 1], bilinear resize (align_corners=False,
/// no antialiasing, as F.interpolate) to `size`×`size`, then 2x − 1.
enum Preprocessing {
    static let description = "uint8/255, bilinear resize to 299x299 (align_corners=False), 2x-1 (pytorch-fid)"
    static let size = 299

    /// Source index and weight per output position (PyTorch's area_pixel_compute_source_index
    /// for linear modes: src = (dst + ½)·in/out − ½, clamped at 0).
    static func taps(input: Int, output: Int) -> [(Int, Int, Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { index in
            let source = max(scale * (Float(index) + 0.5) - 0.5, 0)
            let low = min(Int(source), input - 1)
            let high = min(low + 1, input - 1)
            return (low, high, source - Float(low))
        }
    }

    /// Writes image `index` of `output` (299×299×3) from one uint8 `[height, width, 3]` image.
    static func resizeAndNormalise(_ pixels: UnsafePointer<UInt8>, height: Int, width: Int,
                                   into output: FeatureMap, at index: Int) {
        let size = output.height
        precondition(output.width == size && output.channels == 3 && index < output.batch)
        let rowTaps = taps(input: height, output: size), columnTaps = taps(input: width, output: size)
        let destination = output.pointer + index * size * size * 3
        parallelFor(size) { y in
            let (y0, y1, wy) = rowTaps[y]
            let top = pixels + y0 * width * 3
            let bottom = pixels + y1 * width * 3
            let target = destination + y * size * 3
            for x in 0..<size {
                let (x0, x1, wx) = columnTaps[x]
                for channel in 0..<3 {
                    let a = Float(top[x0 * 3 + channel]), b = Float(top[x1 * 3 + channel])
                    let c = Float(bottom[x0 * 3 + channel]), d = Float(bottom[x1 * 3 + channel])
                    let upper = a + (b - a) * wx, lower = c + (d - c) * wx
                    let value = (upper + (lower - upper) * wy) / 255
                    target[x * 3 + channel] = 2 * value - 1
                }
            }
        }
    }
}
