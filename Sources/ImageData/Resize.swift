/// Resizing for image folders: the shorter side scaled to `size`, then the center `size × size`.
///
/// Shrinking averages areas: each output pixel is the mean of the input pixels it covers,
/// weighted by the fraction covered (a box filter, OpenCV's `INTER_AREA` when shrinking).
/// Enlarging is bilinear with pixel centers at half-integers (PyTorch's
/// `align_corners=False`, clamped at the edges). Both are separable, applied to columns
/// then rows, in float, rounded once at the end.
enum Resize {
    /// One output position's input taps: (input index, weight), weights summing to 1.
    typealias Taps = [(index: Int, weight: Float)]

    /// Taps for `outputCount` positions mapping onto `inputCount` positions.
    static func taps(from inputCount: Int, to outputCount: Int) -> [Taps] {
        let scale = Double(inputCount) / Double(outputCount)  // input pixels per output pixel
        return (0..<outputCount).map { output in
            if scale > 1 {
                let start = Double(output) * scale, end = start + scale
                var taps: Taps = []
                var index = Int(start)
                while Double(index) < end && index < inputCount {
                    let covered = min(end, Double(index + 1)) - max(start, Double(index))
                    if covered > 1e-12 { taps.append((index, Float(covered / scale))) }
                    index += 1
                }
                return taps
            }
            let center = max(0, (Double(output) + 0.5) * scale - 0.5)
            let low = min(Int(center), inputCount - 1)
            let high = min(low + 1, inputCount - 1)
            let fraction = Float(center - Double(low))
            if fraction == 0 || high == low { return [(index: low, weight: Float(1))] }
            return [(index: low, weight: 1 - fraction), (index: high, weight: fraction)]
        }
    }

    /// `image` with its shorter side scaled to `size` and center-cropped to `size × size`.
    static func squareCrop(_ image: RGBImage, size: Int) -> [UInt8] {
        let (height, width) = (image.height, image.width)
        let shorter = min(height, width)
        // The longer side scaled in proportion, at least `size`.
        let scaledHeight = height == shorter ? size : max(size, Int((Double(height) * Double(size) / Double(shorter)).rounded()))
        let scaledWidth = width == shorter ? size : max(size, Int((Double(width) * Double(size) / Double(shorter)).rounded()))
        let rowTaps = Array(taps(from: height, to: scaledHeight)[(scaledHeight - size) / 2 ..< (scaledHeight - size) / 2 + size])
        let columnTaps = Array(taps(from: width, to: scaledWidth)[(scaledWidth - size) / 2 ..< (scaledWidth - size) / 2 + size])
        // Columns first, over the input rows that some output row uses.
        let neededRows = Set(rowTaps.flatMap { $0.map(\.index) })
        var horizontal = [Float](repeating: 0, count: height * size * 3)
        image.pixels.withUnsafeBufferPointer { source in
            for row in neededRows {
                for (column, taps) in columnTaps.enumerated() {
                    var sum: (Float, Float, Float) = (0, 0, 0)
                    for (index, weight) in taps {
                        let at = (row * width + index) * 3
                        sum.0 += weight * Float(source[at])
                        sum.1 += weight * Float(source[at + 1])
                        sum.2 += weight * Float(source[at + 2])
                    }
                    let to = (row * size + column) * 3
                    horizontal[to] = sum.0
                    horizontal[to + 1] = sum.1
                    horizontal[to + 2] = sum.2
                }
            }
        }
        var out = [UInt8](repeating: 0, count: size * size * 3)
        for (row, taps) in rowTaps.enumerated() {
            for value in 0 ..< size * 3 {
                var sum: Float = 0
                for (index, weight) in taps { sum += weight * horizontal[index * size * 3 + value] }
                out[row * size * 3 + value] = UInt8(min(255, max(0, sum.rounded())))
            }
        }
        return out
    }
}
