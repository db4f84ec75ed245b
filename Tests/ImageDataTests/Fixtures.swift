import Basics
import CZlibShim
import Foundation
@testable import ImageData

/// Small synthetic dataset files written by the tests themselves.
enum Fixtures {
    /// An IDX file: magic, big-endian sizes, bytes.
    static func idx(magic: UInt32, dims: [Int], bytes: [UInt8]) -> Data {
        var data = Data()
        for value in [Int(magic)] + dims {
            data += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                     UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }
        return data + bytes
    }

    /// `count` images of `height × width` with distinct, position-dependent pixels.
    static func images(count: Int, height: Int, width: Int) -> [UInt8] {
        (0 ..< count * height * width).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 13) }
    }

    /// `data` written as a gzip file with zlib's own gzip writer.
    static func writeGzip(_ data: Data, to url: URL) throws {
        guard let file = gzopen(url.path, "wb") else { throw LocatedError(file: url.path, "gzopen failed") }
        let written = data.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        guard gzclose(file) == Z_OK, written == Int32(data.count) else {
            throw LocatedError(file: url.path, "gzwrite failed")
        }
    }

    /// A CIFAR-10 batch: per record a label, then red, green and blue planes.
    static func cifarBatch(labels: [UInt8], seed: Int) -> Data {
        var data = Data()
        for (record, label) in labels.enumerated() {
            data.append(label)
            for channel in 0..<3 {
                for pixel in 0..<1024 {
                    data.append(cifarPixel(seed: seed, record: record, channel: channel, pixel: pixel))
                }
            }
        }
        return data
    }

    static func cifarPixel(seed: Int, record: Int, channel: Int, pixel: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: seed * 31 + record * 17 + channel * 85 + pixel * 3)
    }
}
