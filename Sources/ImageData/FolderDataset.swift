import Basics
import Foundation

extension ImageFolder {
    /// Every PNG/JPEG image below `directory` (subfolders included, in byte order of their
    /// relative paths), each with its shorter side resized to `size` and center-cropped to
    /// `size × size` RGB: area averaging when shrinking, bilinear when enlarging. No labels.
    /// - throws: `LocatedError` for a missing or empty folder, one with more images than
    ///   `bound` allows, or naming an undecodable image.
    public static func loadDataset(_ directory: URL, size: Int, bound: ImageDataBound = .default) throws -> ImageDataset {
        guard size > 0 else { throw LocatedError(file: directory.path, "the image size must be positive, not \(size)") }
        let folder = try ImageFolder(directory, recursive: true)
        guard let plane = checkedProduct([size, size, 3]) else {
            throw LocatedError(file: directory.path, "the image size \(size) overflows")
        }
        try bound.check(folder.count, of: plane, in: directory.path)
        var pixels = [UInt8](repeating: 0, count: folder.count * plane)
        for index in 0..<folder.count {
            let square = Resize.squareCrop(try folder.image(at: index), size: size)
            pixels.replaceSubrange(index * plane ..< (index + 1) * plane, with: square)
        }
        return try ImageDataset(name: "folder:\(directory.path)", count: folder.count, height: size, width: size,
                                channels: 3, pixels: pixels)
    }
}
