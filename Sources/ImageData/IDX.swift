import Basics
import Foundation

/// The IDX format of MNIST and Fashion-MNIST (plain or gzip-compressed): a big-endian magic
/// `00 00 08 NDIMS` (unsigned bytes), NDIMS big-endian 32-bit sizes, then the bytes.
/// Images are `0x00000803` `[N, H, W]`, labels `0x00000801` `[N]`.
///
/// ```swift
/// let train = try IDX.load(images: URL(fileURLWithPath: "train-images-idx3-ubyte.gz"),
///                          labels: URL(fileURLWithPath: "train-labels-idx1-ubyte.gz"))
/// ```
public enum IDX {
    public static let imagesMagic: UInt32 = 0x0000_0803
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Images `[count, height, width]` of an IDX file, row-major.
    /// - throws: `LocatedError` naming the file: missing, bad magic, zero sizes, truncated,
    ///   longer than its header says, more than `bound` allows, corrupt gzip.
    public static func readImages(_ url: URL, bound: ImageDataBound = .default) throws -> (count: Int, height: Int, width: Int, pixels: [UInt8]) {
        let (dims, pixels) = try read(url, magic: imagesMagic, what: "images", bound: bound)
        return (dims[0], dims[1], dims[2], pixels)
    }

    /// The labels of an IDX file.
    /// - throws: `LocatedError` as `readImages` does.
    public static func readLabels(_ url: URL, bound: ImageDataBound = .default) throws -> [UInt8] {
        try read(url, magic: labelsMagic, what: "labels", bound: bound).bytes
    }

    /// A dataset of IDX images and, optionally, their labels (each below `classCount`).
    /// - throws: `LocatedError` for a bad file, one beyond `bound`, a label count unlike the
    ///   image count, or a label of `classCount` or more.
    public static func load(images: URL, labels: URL? = nil, name: String? = nil,
                            classCount: Int = 10, classNames: [String]? = nil,
                            bound: ImageDataBound = .default) throws -> ImageDataset {
        let (count, height, width, pixels) = try readImages(images, bound: bound)
        var labelBytes: [UInt8]?
        if let labels {
            let read = try readLabels(labels, bound: bound)
            guard read.count == count else {
                throw LocatedError(file: labels.path, "\(read.count) labels for \(count) images in \(images.path)")
            }
            if let index = read.firstIndex(where: { Int($0) >= classCount }) {
                throw LocatedError(file: labels.path, offset: 8 + index,
                                     "label \(read[index]) of image \(index) is not below the class count \(classCount)")
            }
            labelBytes = read
        }
        return try ImageDataset(name: name ?? images.path, count: count, height: height, width: width, channels: 1,
                                pixels: pixels, labels: labelBytes, classCount: labels == nil ? 0 : classCount,
                                classNames: labels == nil ? nil : classNames)
    }

    /// The sizes and bytes of an IDX file whose magic is `magic`; what the header claims is
    /// checked against `bound` before any of the data is read.
    static func read(_ url: URL, magic: UInt32, what: String, bound: ImageDataBound) throws -> (dims: [Int], bytes: [UInt8]) {
        let stream = try ByteStream(url)
        let name = url.path
        guard let head = try stream.read(4) else {
            throw LocatedError(file: name, "truncated: shorter than the 4-byte IDX magic")
        }
        let found = head.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard found == magic else {
            throw LocatedError(file: name, offset: 0, String(format: "bad magic 0x%08X: IDX %@ start with 0x%08X", found, what, magic))
        }
        let rank = Int(magic & 0xFF)
        guard let sizeBytes = try stream.read(4 * rank) else {
            throw LocatedError(file: name, "truncated: the header holds \(rank) sizes of 4 bytes")
        }
        let dims = (0..<rank).map { axis in
            sizeBytes[4 * axis ..< 4 * axis + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        guard dims.allSatisfy({ $0 > 0 }) else {
            throw LocatedError(file: name, offset: 4, "the header's sizes \(dims.map(String.init).joined(separator: "×")) include zero: no \(what)")
        }
        let header = 4 + 4 * rank
        let shape = dims.map(String.init).joined(separator: "×")
        guard let payload = checkedProduct(dims) else {
            throw LocatedError(file: name, offset: 4, "the header's sizes \(shape) overflow")
        }
        // The product of all sizes fits, so that of the trailing ones does too.
        try bound.check(dims[0], of: dims.dropFirst().reduce(1, *), what: what, in: name)
        if let length = stream.plainLength, length != header + payload {
            let kind = length < header + payload ? "truncated" : "size mismatch"
            throw LocatedError(file: name, "\(kind): the header says \(shape) = \(payload) bytes after the \(header)-byte header, the file has \(length - header)")
        }
        guard let bytes = try stream.read(payload) else {
            throw LocatedError(file: name, "truncated: the header says \(shape) = \(payload) bytes after the \(header)-byte header, the decompressed data holds \(stream.offset - header)")
        }
        guard try stream.atEnd() else {
            throw LocatedError(file: name, "size mismatch: the decompressed data is longer than the header's \(shape) = \(payload) bytes after the \(header)-byte header")
        }
        return (dims, bytes)
    }
}
