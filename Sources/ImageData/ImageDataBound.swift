import Basics
import Foundation

/// How much image data a reader may hold in memory: at most `maxBytes` bytes of pixels (or
/// labels) and, when set, at most `maxImages` images. Readers check what a file claims
/// (an IDX header, the records of CIFAR-10 batches, the files of a folder) against it before
/// they allocate or inflate anything, so a header and gzip stream that both claim terabytes
/// are refused at once instead of being read until memory runs out.
///
/// ```swift
/// let bound = ImageDataBound(maxImages: 60_000)
/// let data = try DatasetSpec(parsing: "fashion-mnist").load(split: .train, bound: bound)
/// ```
public struct ImageDataBound: Equatable, Sendable {
    /// The most images a file or folder may hold; nil: no count bound.
    public var maxImages: Int?
    /// The most bytes of pixels (or labels) one load may hold.
    public var maxBytes: Int

    /// 16 GiB, or three quarters of physical memory where that is less.
    public static let defaultMaxBytes = min(16 << 30, Int(clamping: ProcessInfo.processInfo.physicalMemory / 4 * 3))
    public static let `default` = ImageDataBound()

    public init(maxImages: Int? = nil, maxBytes: Int = defaultMaxBytes) {
        self.maxImages = maxImages
        self.maxBytes = maxBytes
    }

    /// Checks `count` items of `bytesEach` bytes that `file` claims.
    /// - Parameter what: what the items are ("images", "labels", "records").
    /// - throws: `LocatedError` naming the file when the count or the bytes exceed the bound.
    public func check(_ count: Int, of bytesEach: Int, what: String = "images", in file: String) throws {
        if let maxImages, count > maxImages {
            throw LocatedError(file: file, "\(count) \(what) exceed the bound of \(maxImages) (--max-images)")
        }
        let total = checkedProduct([count, bytesEach])
        guard let total, total <= maxBytes else {
            let size = total.map(Self.describe) ?? "more than \(Self.describe(Int.max))"
            throw LocatedError(file: file, "\(count) \(what) of \(bytesEach) bytes (\(size)) exceed the \(Self.describe(maxBytes)) bound on image data in memory")
        }
    }

    /// Bytes in binary units: "16 GiB", "1.5 TiB", "512 bytes".
    static func describe(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = -1
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit >= 0 else { return "\(bytes) bytes" }
        return value == value.rounded() ? "\(Int(value)) \(units[unit])" : String(format: "%.1f %@", value, units[unit])
    }
}
