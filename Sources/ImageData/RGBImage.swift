import Basics
import CJPEG
import CPNG
import Foundation

/// An 8-bit RGB image, row-major `[height, width, 3]`.
public struct RGBImage: Equatable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    /// Decoding refuses images with more pixels than this (16384 × 16384): their buffers
    /// would be sized from a header that nothing else has checked yet.
    public static let maximumPixels = 1 << 28

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Decodes a PNG or JPEG file (by its signature) to RGB. Alpha is dropped and grey is
    /// replicated, as PIL's `convert('RGB')` in pytorch-fid does.
    /// - throws: `LocatedError` naming the file for unreadable or corrupt images.
    public init(contentsOf url: URL) throws {
        let data = try FileBytes.read(url)
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            self = try Self.decodePNG(data, name: url.path)
        } else if data.starts(with: [0xFF, 0xD8]) {
            self = try Self.decodeJPEG(data, name: url.path)
        } else {
            throw LocatedError(file: url.path, "not a PNG or JPEG image")
        }
    }

    private static func decodePNG(_ data: Data, name: String) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let ok = data.withUnsafeBytes { raw in png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) }
        guard ok != 0 else { throw LocatedError(file: name, "corrupt PNG: \(pngMessage(&image))") }
        image.format = ttur_png_format_rgba
        let (width, height) = (Int(image.width), Int(image.height))
        guard width * height <= maximumPixels else {
            png_image_free(&image)
            throw LocatedError(file: name, "PNG of \(width)×\(height) pixels is larger than the \(maximumPixels) pixels this reader accepts")
        }
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = data.withUnsafeBytes { _ in
            rgba.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        }
        guard finished != 0 else {
            let message = pngMessage(&image)
            png_image_free(&image)
            throw LocatedError(file: name, "corrupt PNG: \(message)")
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for pixel in 0 ..< width * height {
            rgb[3 * pixel] = rgba[4 * pixel]
            rgb[3 * pixel + 1] = rgba[4 * pixel + 1]
            rgb[3 * pixel + 2] = rgba[4 * pixel + 2]
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    static func pngMessage(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func decodeJPEG(_ data: Data, name: String) throws -> RGBImage {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = data.withUnsafeBytes { raw in
            ttur_jpeg_decode_rgb(raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), &pixels, &width, &height,
                                 UInt(maximumPixels), &message)
        }
        guard status == 0, let pixels else {
            throw LocatedError(file: name, "corrupt JPEG: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        defer { free(pixels) }
        return RGBImage(width: Int(width), height: Int(height),
                        pixels: Array(UnsafeBufferPointer(start: pixels, count: Int(width) * Int(height) * 3)))
    }
}
