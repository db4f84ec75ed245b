import CJPEG
import CPNG
import Foundation
import Tensors

/// An 8-bit RGB image, row-major `[height, width, 3]`.
public struct RGBImage {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Decodes a PNG or JPEG file (by its signature) to RGB. Alpha is dropped and grey is
    /// replicated, as PIL's `convert('RGB')` in pytorch-fid does.
    /// - throws: `FIDError` naming the file for unreadable or corrupt images.
    public init(contentsOf url: URL) throws {
        let data = try readFile(url)
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            self = try Self.decodePNG(data, name: url.path)
        } else if data.starts(with: [0xFF, 0xD8]) {
            self = try Self.decodeJPEG(data, name: url.path)
        } else {
            throw FIDError(file: url.path, "not a PNG or JPEG image")
        }
    }

    private static func decodePNG(_ data: Data, name: String) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let ok = data.withUnsafeBytes { raw in png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) }
        guard ok != 0 else { throw FIDError(file: name, "corrupt PNG: \(pngMessage(&image))") }
        image.format = ttur_png_format_rgba
        let (width, height) = (Int(image.width), Int(image.height))
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = data.withUnsafeBytes { _ in
            rgba.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        }
        guard finished != 0 else {
            let message = pngMessage(&image)
            png_image_free(&image)
            throw FIDError(file: name, "corrupt PNG: \(message)")
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for pixel in 0 ..< width * height {
            rgb[3 * pixel] = rgba[4 * pixel]
            rgb[3 * pixel + 1] = rgba[4 * pixel + 1]
            rgb[3 * pixel + 2] = rgba[4 * pixel + 2]
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    fileprivate static func pngMessage(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func decodeJPEG(_ data: Data, name: String) throws -> RGBImage {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = data.withUnsafeBytes { raw in
            ttur_jpeg_decode_rgb(raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), &pixels, &width, &height, &message)
        }
        guard status == 0, let pixels else {
            throw FIDError(file: name, "corrupt JPEG: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        defer { free(pixels) }
        return RGBImage(width: Int(width), height: Int(height),
                        pixels: Array(UnsafeBufferPointer(start: pixels, count: Int(width) * Int(height) * 3)))
    }
}

/// Images read one at a time, in a fixed order: a folder or an `.npy` array.
public protocol ImageCollection {
    var count: Int { get }
    /// A description of where the images come from, for provenance.
    var source: String { get }
    func image(at index: Int) throws -> RGBImage
}

/// The PNG and JPEG files directly inside a folder, in byte order of their names.
public struct ImageFolder: ImageCollection {
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]
    public let files: [URL]
    public let source: String

    /// - throws: `FIDError` when the folder cannot be listed or holds no PNG/JPEG files.
    public init(_ url: URL) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw FIDError(file: url.path, "cannot list the folder: \(error.localizedDescription)")
        }
        files = names.filter { Self.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { url.appendingPathComponent($0) }
        guard !files.isEmpty else { throw FIDError(file: url.path, "no .png, .jpg or .jpeg images in the folder") }
        source = url.path
    }

    public var count: Int { files.count }
    public func image(at index: Int) throws -> RGBImage { try RGBImage(contentsOf: files[index]) }
}

/// A uint8 NumPy array `[N, H, W, 3]` (memory-mapped).
public struct NumpyImages: ImageCollection {
    public let array: NumpyArray
    public let source: String

    /// - throws: `FIDError` unless the file is a uint8 array of shape `[N, H, W, 3]`.
    public init(_ url: URL) throws {
        array = try NumpyArray(contentsOf: url)
        guard array.descr == "|u1", array.shape.count == 4, array.shape[3] == 3 else {
            throw FIDError(file: url.path, "images must be a uint8 array [N, H, W, 3], found \(array.descr) \(array.shape)")
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

extension RGBImage {
    /// The image as an 8-bit RGB PNG (libpng's simplified writer).
    /// - throws: `FIDError` when libpng refuses.
    public func pngData() throws -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = ttur_png_format_rgb
        var size: png_alloc_size_t = 0
        let measured = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
        guard measured != 0 else { throw FIDError("PNG encoding failed: \(Self.pngMessage(&image))") }
        var out = Data(count: Int(size))
        let written = out.withUnsafeMutableBytes { target in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, target.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        guard written != 0 else { throw FIDError("PNG encoding failed: \(Self.pngMessage(&image))") }
        return out.prefix(Int(size))
    }
}
