import Foundation

/// Pillow's `Image.resize(size, Image.BICUBIC)` on 8-bit RGB images, bit for bit: what
/// torchvision's `Resize(…, BICUBIC)` does to a PIL image, and so dgm-eval's resize before
/// DINOv2 (Pillow's `libImaging/Resample.c`: a separable filter, horizontal pass first into an
/// 8-bit image, then vertical; each output pixel's window reaching `support · max(scale, 1)`
/// input pixels either side of its centre (so downscaling antialiases), the cubic convolution
/// with a = −0.5, weights normalised, then in 22-bit fixed point with rounding and clamping).
public enum PILResize {
    static let precisionBits = 32 - 8 - 2

    static func bicubic(_ x: Double) -> Double {
        let a = -0.5, x = abs(x)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// Each output position's first input index and normalised weights (Pillow's
    /// `precompute_coeffs`).
    static func weights(input: Int, output: Int) -> [(start: Int, weights: [Double])] {
        let scale = Double(input) / Double(output)
        let filterScale = max(scale, 1)
        let support = 2 * filterScale
        return (0..<output).map { xx in
            let center = (Double(xx) + 0.5) * scale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), input) - xmin
            let weights = (0..<xmax).map { bicubic((Double($0 + xmin) - center + 0.5) / filterScale) }
            let total = weights.reduce(0, +)
            return (xmin, total != 0 ? weights.map { $0 / total } : weights)
        }
    }

    /// The same weights in Pillow's 22-bit fixed point, for 8-bit images.
    static func coefficients(input: Int, output: Int) -> [(start: Int, weights: [Int32])] {
        let one = Double(1 << precisionBits)
        return weights(input: input, output: output).map { tap in
            (tap.start, tap.weights.map { Int32($0 < 0 ? -0.5 + $0 * one : 0.5 + $0 * one) })
        }
    }

    /// Pillow's bicubic resize of one float plane (mode "F"): the same window and weights,
    /// summed in double and stored as float32 after each pass, horizontal first.
    public static func resize(plane: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        precondition(plane.count == width * height)
        var image = plane, w = width
        if toWidth != width {
            let taps = weights(input: width, output: toWidth)
            var out = [Float](repeating: 0, count: toWidth * height)
            for y in 0..<height {
                for (x, tap) in taps.enumerated() {
                    var sum = 0.0
                    for (i, weight) in tap.weights.enumerated() { sum += Double(image[y * w + tap.start + i]) * weight }
                    out[y * toWidth + x] = Float(sum)
                }
            }
            (image, w) = (out, toWidth)
        }
        guard toHeight != height else { return image }
        let taps = weights(input: height, output: toHeight)
        var out = [Float](repeating: 0, count: w * toHeight)
        for (y, tap) in taps.enumerated() {
            for x in 0..<w {
                var sum = 0.0
                for (i, weight) in tap.weights.enumerated() { sum += Double(image[(tap.start + i) * w + x]) * weight }
                out[y * w + x] = Float(sum)
            }
        }
        return out
    }

    static func clip8(_ value: Int64) -> UInt8 {
        let shifted = value >> Int64(precisionBits)
        return UInt8(min(max(shifted, 0), 255))
    }

    /// `pixels` is height × width × 3 (row-major RGB); the result `toHeight` × `toWidth` × 3.
    public static func resize(_ pixels: [UInt8], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [UInt8] {
        precondition(pixels.count == width * height * 3)
        var image = pixels, w = width
        if toWidth != width {
            let taps = coefficients(input: width, output: toWidth)
            var out = [UInt8](repeating: 0, count: toWidth * height * 3)
            for y in 0..<height {
                for (x, tap) in taps.enumerated() {
                    for c in 0..<3 {
                        var sum = Int64(1 << (precisionBits - 1))
                        for (i, weight) in tap.weights.enumerated() {
                            sum += Int64(image[(y * w + tap.start + i) * 3 + c]) * Int64(weight)
                        }
                        out[(y * toWidth + x) * 3 + c] = clip8(sum)
                    }
                }
            }
            (image, w) = (out, toWidth)
        }
        guard toHeight != height else { return image }
        let taps = coefficients(input: height, output: toHeight)
        var out = [UInt8](repeating: 0, count: w * toHeight * 3)
        for (y, tap) in taps.enumerated() {
            for x in 0..<w {
                for c in 0..<3 {
                    var sum = Int64(1 << (precisionBits - 1))
                    for (i, weight) in tap.weights.enumerated() {
                        sum += Int64(image[((tap.start + i) * w + x) * 3 + c]) * Int64(weight)
                    }
                    out[(y * w + x) * 3 + c] = clip8(sum)
                }
            }
        }
        return out
    }
}
