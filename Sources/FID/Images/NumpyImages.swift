import Basics
import Foundation
import ImageData

/// A uint8 NumPy array `[N, H, W, 3]` (memory-mapped).
public struct NumpyImages: ImageCollection {
    public let array: NumpyArray
    public let source: String

    /// - throws: `LocatedError` unless the file is a uint8 array of shape `[N, H, W, 3]`.
    public init(_ url: URL) throws {
        array = try NumpyArray(contentsOf: url)
        guard array.descr == "|u1", array.shape.count == 4, array.shape[3] == 3 else {
            throw LocatedError(file: url.path, "images must be a uint8 array [N, H, W, 3], found \(array.descr) \(array.shape)")
        }
        source = url.path
    }

    public var count: Int { array.shape[0] }

    public func image(at index: Int) throws -> RGBImage {
        let (height, width) = (array.shape[1], array.shape[2])
        let size = height * width * 3
        let start = array.data.startIndex + index * size
        return RGBImage(width: width, height: height, pixels: [UInt8](array.data[start ..< start + size]))
    }
}
