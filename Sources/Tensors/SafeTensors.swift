import Basics
import Foundation

// safetensors: an 8-byte little-endian header length, a JSON header mapping each tensor
// name to {dtype, shape, data_offsets} (offsets relative to the byte buffer that follows
// the header) plus an optional "__metadata__" string map, then the raw little-endian data.
// Format: https://github.com/huggingface/safetensors (README, "Format").

/// Element types of a safetensors file (the format's own spelling as raw values).
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case float64 = "F64", float32 = "F32", float16 = "F16", bfloat16 = "BF16"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8", uint8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }
}

/// One tensor: its element type, shape (outermost first) and little-endian bytes.
///
/// ```swift
/// let entry = SafeTensorsEntry(floats: [1, 2, 3, 4], shape: [2, 2])
/// let values = try entry.floats()   // [1, 2, 3, 4]
/// ```
public struct SafeTensorsEntry: Equatable, Sendable {
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public var data: Data

    /// An entry over raw bytes; `data.count` must be `shape`'s element count × element size.
    public init(dtype: SafeTensorsDType, shape: [Int], data: Data) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in \(shape)")
        precondition(data.count == shape.reduce(1, *) * dtype.byteCount,
                     "\(data.count) bytes for \(dtype.rawValue) \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    public init(floats: [Float], shape: [Int]) {
        self.init(dtype: .float32, shape: shape,
                  data: floats.withUnsafeBufferPointer { Data(buffer: $0) }.littleEndianBytes(width: 4))
    }

    public init(doubles: [Double], shape: [Int]) {
        self.init(dtype: .float64, shape: shape,
                  data: doubles.withUnsafeBufferPointer { Data(buffer: $0) }.littleEndianBytes(width: 8))
    }

    /// Number of elements (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// The values as `Double`, converting from any numeric dtype (exact for all but
    /// 64-bit integers beyond 2⁵³).
    public func doubles() -> [Double] {
        data.withUnsafeBytes { raw in
            (0..<count).map { ScalarDecoding.double(raw, index: $0, dtype: dtype) }
        }
    }

    /// The values as `Float`; float64 and integer inputs are rounded to nearest.
    public func floats() -> [Float] {
        if dtype == .float32 {
            let count = self.count
            var values = [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
                data.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0 ..< 4 * count]))
                }
                initialised = count
            }
            if 1.littleEndian != 1 {
                for index in values.indices { values[index] = Float(bitPattern: values[index].bitPattern.byteSwapped) }
            }
            return values
        }
        return doubles().map { Float($0) }
    }

    /// The values as `Int64`; throws for floating-point dtypes.
    public func integers() throws -> [Int64] {
        switch dtype {
        case .int64, .int32, .int16, .int8, .uint8, .bool:
            return data.withUnsafeBytes { raw in
                (0..<count).map { ScalarDecoding.integer(raw, index: $0, dtype: dtype) }
            }
        default:
            throw LocatedError(file: "<entry>", "\(dtype.rawValue) is not an integer dtype")
        }
    }
}

/// Little-endian scalar decoding shared by the readers of tensor containers.
public enum ScalarDecoding {
    /// IEEE 754 binary16 to `Float`, bit by bit (Float16 is not available on every platform).
    public static func float(halfBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa × 2⁻²⁴.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// Element `index` of `raw` as a `Double`.
    public static func double(_ raw: UnsafeRawBufferPointer, index: Int, dtype: SafeTensorsDType) -> Double {
        switch dtype {
        case .float64:
            return Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self).littleEndian)
        case .float32:
            return Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self).littleEndian))
        case .float16:
            return Double(float(halfBits: raw.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self).littleEndian))
        case .bfloat16:
            let bits = UInt32(raw.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self).littleEndian) << 16
            return Double(Float(bitPattern: bits))
        default:
            return Double(integer(raw, index: index, dtype: dtype))
        }
    }

    /// Element `index` of `raw` as an `Int64` (integer and bool dtypes; 0 for floating point).
    public static func integer(_ raw: UnsafeRawBufferPointer, index: Int, dtype: SafeTensorsDType) -> Int64 {
        switch dtype {
        case .int64: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * index, as: Int64.self))
        case .int32: return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: Int32.self)))
        case .int16: return Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * index, as: Int16.self)))
        case .int8: return Int64(raw.load(fromByteOffset: index, as: Int8.self))
        case .uint8, .bool: return Int64(raw[index])
        default: return 0
        }
    }
}

extension Data {
    /// The same bytes, swapped per `width`-byte element on a big-endian host.
    fileprivate func littleEndianBytes(width: Int) -> Data {
        if 1.littleEndian == 1 { return self }
        var copy = self
        copy.withUnsafeMutableBytes { raw in
            for start in stride(from: 0, to: raw.count, by: width) {
                raw[start..<start + width].reverse()
            }
        }
        return copy
    }
}

/// A whole safetensors file: named tensors and the header's `__metadata__`.
///
/// ```swift
/// var file = SafeTensorsFile()
/// file.tensors["w"] = SafeTensorsEntry(floats: [1, 2], shape: [2])
/// file.metadata["step"] = "10"
/// try file.write(to: URL(fileURLWithPath: "ckpt.safetensors"))
/// let back = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: "ckpt.safetensors"))
/// ```
public struct SafeTensorsFile: Equatable, Sendable {
    public var tensors: [String: SafeTensorsEntry]
    public var metadata: [String: String]

    /// Headers larger than this are treated as corrupt (the reference implementation's limit).
    static let maximumHeaderSize = 100_000_000

    /// The metadata key of the data section's SHA-256 (lowercase hex): the bytes after the
    /// header, as `tail -c +$((9 + header_length)) FILE | sha256sum` reads them. Written by
    /// `write(to:checksummed: true)`; when present, reading checks it, so a file damaged after
    /// it was written (a disk, a copy, a transfer) is refused instead of loaded silently.
    public static let checksumKey = "data_sha256"

    /// Whether the file carried a data checksum that was checked when it was read.
    public var isChecksummed: Bool { metadata[Self.checksumKey] != nil }

    public init(tensors: [String: SafeTensorsEntry] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and validates a file, and checks its data against its checksum where it has one
    /// (`verifyingChecksum: false` skips that: for measuring what the check costs).
    /// - throws: `LocatedError` naming the file for I/O errors, a truncated file, a
    ///   malformed header, unknown dtypes, data offsets that do not fit the shapes, or data
    ///   that does not match its checksum.
    public init(contentsOf url: URL, verifyingChecksum: Bool = true) throws {
        let data: Data
        do {
            data = try FileBytes.mapped(url)
        } catch {
            throw LocatedError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        try self.init(data: data, name: url.path, verifyingChecksum: verifyingChecksum)
    }

    /// Parses a file's bytes; `name` only labels errors.
    public init(data: Data, name: String = "<memory>", verifyingChecksum: Bool = true) throws {
        func fail(_ message: String) -> LocatedError { LocatedError(file: name, message) }
        guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, the 8-byte header length is missing") }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(Self.maximumHeaderSize) else {
            throw fail("corrupt: header length \(headerLength) exceeds \(Self.maximumHeaderSize) bytes")
        }
        guard 8 + Int(headerLength) <= data.count else {
            throw fail("truncated: header of \(headerLength) bytes but only \(data.count - 8) follow")
        }
        let base = data.startIndex
        let headerBytes = data[base + 8 ..< base + 8 + Int(headerLength)]
        guard let json = try? JSONSerialization.jsonObject(with: headerBytes),
              let header = json as? [String: Any] else {
            throw fail("corrupt: the header is not a JSON object")
        }
        let bufferStart = base + 8 + Int(headerLength)
        let bufferLength = data.count - 8 - Int(headerLength)
        var tensors: [String: SafeTensorsEntry] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(Int, Int, String)] = []
        for (key, value) in header {
            if key == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (metaKey, metaValue) in map {
                    guard let string = metaValue as? String else {
                        throw fail("__metadata__[\(metaKey)] is not a string")
                    }
                    metadata[metaKey] = string
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("entry \(key) is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail("entry \(key) has no dtype") }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw fail("entry \(key) has unsupported dtype \(dtypeName)")
            }
            guard let shapeValues = info["shape"] as? [Any],
                  let shape = Self.nonNegativeIntegers(shapeValues) else {
                throw fail("entry \(key) has no valid shape (expected non-negative integers)")
            }
            guard let offsetValues = info["data_offsets"] as? [Any],
                  let offsets = Self.nonNegativeIntegers(offsetValues), offsets.count == 2 else {
                throw fail("entry \(key) has no valid data_offsets (expected [begin, end])")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end, end <= bufferLength else {
                throw fail("entry \(key): data_offsets [\(begin), \(end)] outside the \(bufferLength)-byte data buffer (truncated?)")
            }
            let (count, overflow) = shape.reduce((1, false)) { partial, extent in
                let product = partial.0.multipliedReportingOverflow(by: extent)
                return (product.partialValue, partial.1 || product.overflow)
            }
            guard !overflow, count <= Int.max / 8, end - begin == count * dtype.byteCount else {
                throw fail("entry \(key): \(end - begin) bytes do not hold \(dtype.rawValue) \(shape)")
            }
            ranges.append((begin, end, key))
            tensors[key] = SafeTensorsEntry(dtype: dtype, shape: shape,
                                            data: Data(data[bufferStart + begin ..< bufferStart + end]))
        }
        ranges.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        for (previous, next) in zip(ranges, ranges.dropFirst()) where next.0 < previous.1 {
            throw fail("corrupt: entries \(previous.2) and \(next.2) overlap")
        }
        if verifyingChecksum, let expected = metadata[Self.checksumKey] {
            let actual = SHA256.hex(SHA256.hash(data: data[bufferStart...]))
            guard actual == expected else {
                throw fail("corrupt: the tensor data's SHA-256 is \(actual.prefix(16))…, the header records \(expected.prefix(16))… (the file was damaged after it was written)")
            }
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func nonNegativeIntegers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let number = value as? NSNumber else { return nil }
            let real = number.doubleValue
            guard real >= 0, real == real.rounded(), real < 0x1p62 else { return nil }
            result.append(Int(real))
        }
        return result
    }

    /// The file's bytes: tensors in name order, header padded with spaces to 8 bytes; with
    /// `checksummed`, the metadata also records the data section's SHA-256 (`checksumKey`).
    public func encoded(checksummed: Bool = false) throws -> Data {
        let names = tensors.keys.sorted()
        var metadata = self.metadata
        if checksummed {
            let hasher = SHA256()
            for name in names { hasher.update(data: tensors[name]!.data) }
            metadata[Self.checksumKey] = SHA256.hex(hasher.finalize())
        }
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for name in names {
            let entry = tensors[name]!
            header[name] = ["dtype": entry.dtype.rawValue, "shape": entry.shape,
                            "data_offsets": [offset, offset + entry.data.count]] as [String: Any]
            offset += entry.data.count
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        headerBytes.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8))
        var out = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(headerBytes)
        for name in names { out.append(tensors[name]!.data) }
        return out
    }

    /// Writes the file atomically: a temporary file beside `url`, then a rename, so
    /// readers never see a half-written checkpoint. With `checksummed`, the metadata records
    /// the data's SHA-256, checked by every later read.
    /// - throws: `LocatedError` when the directory is not writable.
    public func write(to url: URL, checksummed: Bool = false) throws {
        try AtomicFile.write(try encoded(checksummed: checksummed), to: url)
    }
}
