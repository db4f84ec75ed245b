/// Pooling and resizing kernels on channels-last maps, written into a destination's
/// channel slice like the convolutions.
extension Inference {
    /// max_pool2d(kernel 3, `stride`, `padding`), padding treated as −∞.
    public static func maxPool3x3(_ input: FeatureMap, stride: Int, padding: Int, into output: FeatureMap,
                                  channelOffset: Int) {
        pool3x3(input, stride: stride, padding: padding, into: output, channelOffset: channelOffset, average: false)
    }

    /// avg_pool2d(kernel 3, stride 1, padding 1, count_include_pad=False): the divisor is the
    /// number of window positions inside the image (pytorch-fid's FID blocks use this).
    public static func averagePool3x3(_ input: FeatureMap, into output: FeatureMap, channelOffset: Int) {
        pool3x3(input, stride: 1, padding: 1, into: output, channelOffset: channelOffset, average: true)
    }

    /// The output extent of a 3×3 pool over `length`.
    public static func pool3x3OutputSize(_ length: Int, stride: Int, padding: Int) -> Int {
        (length + 2 * padding - 3) / stride + 1
    }

    private static func pool3x3(_ input: FeatureMap, stride: Int, padding: Int, into output: FeatureMap,
                                channelOffset: Int, average: Bool) {
        let (h, w, c) = (input.height, input.width, input.channels)
        let (oh, ow) = (pool3x3OutputSize(h, stride: stride, padding: padding),
                        pool3x3OutputSize(w, stride: stride, padding: padding))
        precondition(output.height == oh && output.width == ow && output.batch == input.batch
                     && channelOffset + c <= output.channels)
        let ldc = output.channels
        let source = input.pointer, destination = output.pointer + channelOffset
        parallelRanges(input.batch * oh) { rows in
            for row in rows {
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

    /// Source index pair and weight per output position of a bilinear resize (PyTorch's
    /// area_pixel_compute_source_index for linear modes, align_corners=False:
    /// src = (dst + ½)·in/out − ½, clamped at 0).
    public static func bilinearTaps(input: Int, output: Int) -> [(Int, Int, Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { index in
            let source = max(scale * (Float(index) + 0.5) - 0.5, 0)
            let low = min(Int(source), input - 1)
            let high = min(low + 1, input - 1)
            return (low, high, source - Float(low))
        }
    }

    /// Writes image `index` of the square map `output` from one uint8 `[height, width,
    /// output.channels]` image: bilinear resize (F.interpolate, align_corners=False, no
    /// antialiasing) of pixel/255, then `scale·v + shift`.
    public static func resizeBilinear(_ pixels: UnsafePointer<UInt8>, height: Int, width: Int,
                                      into output: FeatureMap, at index: Int, scale: Float = 1, shift: Float = 0) {
        let size = output.height, c = output.channels
        precondition(output.width == size && index < output.batch)
        let rowTaps = bilinearTaps(input: height, output: size), columnTaps = bilinearTaps(input: width, output: size)
        let destination = output.pointer + index * size * size * c
        parallelRanges(size) { rows in
            for y in rows {
                let (y0, y1, wy) = rowTaps[y]
                let top = pixels + y0 * width * c
                let bottom = pixels + y1 * width * c
                let target = destination + y * size * c
                for x in 0..<size {
                    let (x0, x1, wx) = columnTaps[x]
                    for channel in 0..<c {
                        let a = Float(top[x0 * c + channel]), b = Float(top[x1 * c + channel])
                        let cc = Float(bottom[x0 * c + channel]), d = Float(bottom[x1 * c + channel])
                        let upper = a + (b - a) * wx, lower = cc + (d - cc) * wx
                        let value = (upper + (lower - upper) * wy) / 255
                        target[x * c + channel] = scale * value + shift
                    }
                }
            }
        }
    }
}
