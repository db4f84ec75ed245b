import Basics
import Foundation

/// Images of one size held in memory: `pixels` is NHWC uint8 (`count × height × width ×
/// channels`, channels 1 or 3), with an optional label per image.
///
/// ```swift
/// let data = try DatasetSpec(parsing: "fashion-mnist").load(split: .train)
/// let batch = data.batch(indices: [0, 1, 2], size: 32)   // [3 × 32 × 32 × 1] in [-1, 1]
/// ```
public struct ImageDataset: ImageCollection {
    public let name: String
    public let count: Int
    public let height: Int
    public let width: Int
    public let channels: Int
    public let pixels: [UInt8]
    public let labels: [UInt8]?
    /// The number of classes labels range over; 0 without labels.
    public let classCount: Int
    /// Class names by label, where the dataset has them.
    public let classNames: [String]?

    /// - throws: `LocatedError` when the sizes, pixels and labels disagree.
    public init(name: String, count: Int, height: Int, width: Int, channels: Int, pixels: [UInt8],
                labels: [UInt8]? = nil, classCount: Int = 0, classNames: [String]? = nil) throws {
        guard count > 0, height > 0, width > 0 else {
            throw LocatedError(file: name, "no images (\(count) of \(height)×\(width))")
        }
        guard channels == 1 || channels == 3 else {
            throw LocatedError(file: name, "images must have 1 or 3 channels, not \(channels)")
        }
        guard checkedProduct([count, height, width, channels]) == pixels.count else {
            throw LocatedError(file: name, "\(pixels.count) pixel bytes for \(count) images of \(height)×\(width)×\(channels)")
        }
        if let labels {
            guard labels.count == count else { throw LocatedError(file: name, "\(labels.count) labels for \(count) images") }
            if let index = labels.firstIndex(where: { Int($0) >= classCount }) {
                throw LocatedError(file: name, "label \(labels[index]) of image \(index) is not below the class count \(classCount)")
            }
        }
        if let classNames, classNames.count != classCount {
            throw LocatedError(file: name, "\(classNames.count) class names for \(classCount) classes")
        }
        self.name = name
        self.count = count
        self.height = height
        self.width = width
        self.channels = channels
        self.pixels = pixels
        self.labels = labels
        self.classCount = classCount
        self.classNames = classNames
    }

    /// Bytes of one image.
    public var imageByteCount: Int { height * width * channels }

    /// The images at `indices` as NHWC floats `[indices.count × size × size × channels]`,
    /// scaled from 0…255 to -1…1. Smaller images are padded symmetrically with -1 (black),
    /// 28 → 32 by 2 on each side (an odd difference puts the extra row or column at the
    /// bottom or right); larger ones are center-cropped the same way.
    public func batch(indices: [Int], size: Int) -> [Float] {
        precondition(size > 0, "the batch image size must be positive")
        let plane = size * size * channels
        var out = [Float](repeating: -1, count: indices.count * plane)
        // Integer division truncates toward zero, so an odd difference leaves the extra row or
        // column at the bottom or right whether it is padded or cropped.
        let top = (size - height) / 2, left = (size - width) / 2
        // Rows and columns of the image that land inside the output.
        let rows = max(0, -top) ..< min(height, size - top)
        let columns = max(0, -left) ..< min(width, size - left)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for (slot, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "image index \(index) outside 0..<\(count)")
                    let image = index * imageByteCount
                    for row in rows {
                        var from = image + (row * width + columns.lowerBound) * channels
                        var to = slot * plane + ((row + top) * size + columns.lowerBound + left) * channels
                        for _ in 0 ..< columns.count * channels {
                            target[to] = Float(source[from]) / 127.5 - 1
                            from += 1
                            to += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// Every image index, `0..<count`.
    public var indices: Range<Int> { 0..<count }

    // MARK: ImageCollection

    public var source: String { name }

    /// Image `index` as RGB (grey replicated), e.g. for FID statistics of the real data.
    public func image(at index: Int) throws -> RGBImage {
        let start = index * imageByteCount
        let bytes = pixels[start ..< start + imageByteCount]
        if channels == 3 { return RGBImage(width: width, height: height, pixels: Array(bytes)) }
        var rgb = [UInt8](repeating: 0, count: height * width * 3)
        for (pixel, value) in bytes.enumerated() {
            rgb[3 * pixel] = value
            rgb[3 * pixel + 1] = value
            rgb[3 * pixel + 2] = value
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }
}

/// Floats in [-1, 1] (as `ImageDataset.batch` makes them, or a generator's tanh output) back
/// to 8-bit pixels: `round((x + 1) × 127.5)`, clamped to 0…255; NaN becomes 0.
public func pixelsFromFloats(_ values: [Float]) -> [UInt8] {
    values.map { value in
        guard !value.isNaN else { return 0 }
        return UInt8(min(255, max(0, ((value + 1) * 127.5).rounded())))
    }
}
