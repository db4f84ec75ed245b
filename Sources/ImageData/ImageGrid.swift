import Basics
import Foundation

/// N images tiled into one picture: `ceil(sqrt(N))` columns, as many rows as needed, each
/// tile surrounded by a `border`-pixel frame of `background` (torchvision's `make_grid`
/// layout: padding 2, black).
///
/// ```swift
/// let grid = ImageGrid(images: generated, count: 64, height: 32, width: 32, channels: 1)
/// try grid.write(to: run.appendingPathComponent("samples/iteration-1000.png"))
/// ```
public struct ImageGrid {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// Row-major `[height, width, channels]`.
    public let pixels: [UInt8]

    /// Tiles `count` NHWC images of `height × width × channels` (1 or 3) given as floats in
    /// [-1, 1] (values outside are clamped).
    public init(images: [Float], count: Int, height: Int, width: Int, channels: Int,
                border: Int = 2, background: UInt8 = 0) {
        precondition(channels == 1 || channels == 3, "grid images have 1 or 3 channels")
        precondition(count > 0 && height > 0 && width > 0 && border >= 0)
        precondition(images.count == count * height * width * channels, "\(images.count) values for \(count) images")
        let columns = Int(Double(count).squareRoot().rounded(.up))
        let rows = (count + columns - 1) / columns
        self.width = columns * (width + border) + border
        self.height = rows * (height + border) + border
        self.channels = channels
        let bytes = pixelsFromFloats(images)
        var out = [UInt8](repeating: background, count: self.width * self.height * channels)
        let rowBytes = width * channels
        for image in 0..<count {
            let x = border + (image % columns) * (width + border)
            let y = border + (image / columns) * (height + border)
            for row in 0..<height {
                let from = (image * height + row) * rowBytes
                let to = ((y + row) * self.width + x) * channels
                out.replaceSubrange(to ..< to + rowBytes, with: bytes[from ..< from + rowBytes])
            }
        }
        pixels = out
    }

    /// The grid as an 8-bit grey or RGB PNG.
    /// - throws: `LocatedError` when libpng refuses.
    public func pngData() throws -> Data {
        try encodePNG(pixels, width: width, height: height, channels: channels)
    }

    /// Writes the PNG atomically: to a temporary file beside `url`, then renamed over it, so
    /// a reader never sees a partial image.
    /// - throws: `LocatedError` naming `url` when it cannot be written.
    public func write(to url: URL) throws {
        let data = try pngData()
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            throw LocatedError(file: url.path, "cannot write: \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw LocatedError(file: url.path, "cannot write: \(reason)")
        }
    }
}
