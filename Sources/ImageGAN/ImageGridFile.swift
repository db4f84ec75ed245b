import FID
import Foundation
import Tensors

/// Image grids of generated samples as PNG files (written atomically).
public enum ImageGridFile {
    /// Tiles `count` images [count, size, size, channels] in [−1, 1] into a grid of ⌈√count⌉
    /// columns with 2-pixel borders and writes it to `url`.
    public static func write(_ images: [Float], count: Int, size: Int, channels: Int, to url: URL) throws {
        let columns = max(1, Int(Double(count).squareRoot().rounded(.up)))
        let rows = (count + columns - 1) / columns
        let border = 2
        let width = columns * (size + border) + border, height = rows * (size + border) + border
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<count {
            let top = border + (index / columns) * (size + border), left = border + (index % columns) * (size + border)
            for y in 0..<size {
                for x in 0..<size {
                    for c in 0..<3 {
                        let value = images[((index * size + y) * size + x) * channels + (channels == 1 ? 0 : c)]
                        pixels[((top + y) * width + left + x) * 3 + c] = UInt8(max(0, min(255, ((value + 1) * 127.5).rounded())))
                    }
                }
            }
        }
        try AtomicFile.write(try RGBImage(width: width, height: height, pixels: pixels).pngData(), to: url)
    }
}
