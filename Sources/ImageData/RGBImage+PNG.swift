import Basics
import CPNG
import Foundation

extension RGBImage {
    /// The image as an 8-bit RGB PNG (libpng's simplified writer).
    /// - throws: `LocatedError` when libpng refuses.
    public func pngData() throws -> Data {
        try encodePNG(pixels, width: width, height: height, channels: 3)
    }
}

/// 8-bit grey (`channels` 1) or RGB (3) pixels, row-major, as PNG bytes.
func encodePNG(_ pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> Data {
    precondition(channels == 1 || channels == 3, "PNG encoding takes 1 or 3 channels")
    precondition(pixels.count == width * height * channels)
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = channels == 3 ? ttur_png_format_rgb : ttur_png_format_gray
    var size: png_alloc_size_t = 0
    let measured = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
    guard measured != 0 else { throw LocatedError("PNG encoding failed: \(RGBImage.pngMessage(&image))") }
    var out = Data(count: Int(size))
    let written = out.withUnsafeMutableBytes { target in
        pixels.withUnsafeBytes { png_image_write_to_memory(&image, target.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
    }
    guard written != 0 else { throw LocatedError("PNG encoding failed: \(RGBImage.pngMessage(&image))") }
    return out.prefix(Int(size))
}
