import Foundation
import Tensors
import ZIPFoundation

// NumPy's .npy format (numpy/lib/format.py): "\x93NUMPY", version bytes, a little-endian
// header length (2 bytes in 1.0, 4 in 2.0/3.0), a Python dict literal
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } padded with spaces to a
// multiple of 64 and ended by "\n", then the raw data. An .npz is a zip of NAME.npy files.

/// One NumPy array: its dtype string (`descr`), shape and C-order bytes.
public struct NumpyArray: Equatable {
    public var descr: String
    public var shape: [Int]
    public var data: Data

    static let numericDescrs: [String: SafeTensorsDType] = [
        "<f8": .float64, "<f4": .float32, "<f2": .float16, "<i8": .int64, "<i4": .int32, "<i2": .int16,
        "|i1": .int8, "|u1": .uint8, "|b1": .bool,
    ]

    public init(descr: String, shape: [Int], data: Data) {
        self.descr = descr
        self.shape = shape
        self.data = data
    }

    /// A numeric array over a tensor entry's bytes.
    public init(_ entry: SafeTensorsEntry) {
        let descr = Self.numericDescrs.first { $0.value == entry.dtype }?.key ?? "<f8"
        self.init(descr: descr, shape: entry.shape, data: entry.data)
    }

    /// A 0-d unicode string array (`<U…`, UTF-32LE), which numpy loads without pickle.
    public init(string: String) {
        var data = Data()
        for scalar in string.unicodeScalars {
            withUnsafeBytes(of: scalar.value.littleEndian) { data.append(contentsOf: $0) }
        }
        self.init(descr: "<U\(max(string.unicodeScalars.count, 1))", shape: [], data: data.isEmpty ? Data(count: 4) : data)
    }

    public var count: Int { shape.reduce(1, *) }

    /// The numeric array as a tensor entry.
    /// - throws: `LocatedError` for non-numeric dtypes.
    public func entry() throws -> SafeTensorsEntry {
        let key = descr.replacingOccurrences(of: "=", with: "<")
        guard let dtype = Self.numericDescrs[key] ?? (key == "<u1" ? .uint8 : key == "<b1" ? .bool : nil) else {
            throw LocatedError("unsupported NumPy dtype \(descr) (little-endian numbers expected)")
        }
        return SafeTensorsEntry(dtype: dtype, shape: shape, data: data)
    }

    /// The text of a `<U` string array (scalars concatenated), trailing NULs removed.
    public func string() throws -> String {
        guard descr.hasPrefix("<U") else { throw LocatedError("NumPy dtype \(descr) is not a string") }
        var scalars = String.UnicodeScalarView()
        data.withUnsafeBytes { raw in
            for index in 0 ..< raw.count / 4 {
                let value = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                if value != 0, let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
        }
        return String(scalars)
    }

    // MARK: .npy

    /// Parses an .npy file's bytes.
    /// - throws: `LocatedError` for a missing magic, a malformed header, or truncated data.
    public init(npy bytes: Data) throws {
        let base = bytes.startIndex
        guard bytes.count >= 10, bytes.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw LocatedError(offset: 0, "not an .npy file (magic \\x93NUMPY missing)")
        }
        let major = bytes[base + 6]
        let headerLengthWidth = major == 1 ? 2 : 4
        guard (1...3).contains(major), bytes.count >= 8 + headerLengthWidth else {
            throw LocatedError(offset: 6, "unsupported .npy version \(major)")
        }
        var headerLength = 0
        for shift in 0..<headerLengthWidth { headerLength |= Int(bytes[base + 8 + shift]) << (8 * shift) }
        let headerStart = 8 + headerLengthWidth
        guard headerStart + headerLength <= bytes.count else {
            throw LocatedError(offset: headerStart, "truncated .npy header")
        }
        let header = String(decoding: bytes[base + headerStart ..< base + headerStart + headerLength], as: UTF8.self)
        guard let descr = Self.field("descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")),
              let fortranText = Self.field("fortran_order", in: header),
              let shapeText = Self.field("shape", in: header) else {
            throw LocatedError(offset: headerStart, "malformed .npy header \(header)")
        }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { part -> Int in
                guard let extent = Int(part), extent >= 0 else { throw LocatedError("bad .npy shape \(shapeText)") }
                return extent
            }
        let width: Int
        if descr.hasPrefix("<U") {
            guard let characters = Int(descr.dropFirst(2)), (0...(1 << 30)).contains(characters) else {
                throw LocatedError("bad .npy dtype \(descr)")
            }
            width = 4 * characters
        } else if let dtype = Self.numericDescrs[descr.replacingOccurrences(of: "=", with: "<")] {
            width = dtype.byteCount
        } else {
            throw LocatedError(offset: headerStart, "unsupported .npy dtype \(descr) (object arrays need pickle; big-endian is not supported)")
        }
        let dataStart = headerStart + headerLength
        // The header's shape is the file's word: a product that overflows is an error, not a
        // trap (found by libFuzzer).
        var byteCount = width
        for extent in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw LocatedError(offset: headerStart, "impossible .npy shape \(shape) for \(descr)") }
            byteCount = product
        }
        guard bytes.count - dataStart >= byteCount else {
            throw LocatedError(offset: dataStart, "truncated .npy data: \(byteCount) bytes for \(descr) \(shape), \(bytes.count - dataStart) present")
        }
        var data = bytes.subdata(in: base + dataStart ..< base + dataStart + byteCount)
        if fortranText.hasPrefix("True"), shape.count > 1 {
            data = Self.fortranToC(data, shape: shape, width: width)
        }
        self.init(descr: descr, shape: shape, data: data)
    }

    /// The value text after `'key':` in a Python dict literal (up to the next top-level comma).
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
        var depth = 0
        var value = ""
        while let character = rest.first {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," && depth == 0) || character == "}" { break }
            value.append(character)
            rest = rest.dropFirst()
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    private static func fortranToC(_ data: Data, shape: [Int], width: Int) -> Data {
        let count = shape.reduce(1, *)
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var out = Data(count: data.count)
        data.withUnsafeBytes { from in
            out.withUnsafeMutableBytes { to in
                var index = [Int](repeating: 0, count: shape.count)
                for position in 0..<count {
                    let source = zip(index, fortranStrides).reduce(0) { $0 + $1.0 * $1.1 }
                    to.baseAddress!.advanced(by: position * width)
                        .copyMemory(from: from.baseAddress!.advanced(by: source * width), byteCount: width)
                    var axis = shape.count - 1
                    while axis >= 0 {
                        index[axis] += 1
                        if index[axis] < shape[axis] { break }
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return out
    }

    /// The .npy (version 1.0) bytes of this array.
    public func npyData() -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        out.append(contentsOf: Array(header.utf8))
        out.append(data)
        return out
    }

    /// Reads an .npy file.
    public init(contentsOf url: URL) throws {
        let bytes = try FileBytes.read(url)
        do {
            try self.init(npy: bytes)
        } catch let error as LocatedError {
            throw error.inFile(url.path)
        }
    }
}

/// An .npz archive: named NumPy arrays (names without the `.npy` suffix).
public enum NumpyArchive {
    /// Reads every array of an .npz (stored or deflated entries).
    /// - throws: `LocatedError` naming the file for a corrupt zip or a bad member.
    public static func read(_ url: URL) throws -> [String: NumpyArray] {
        let container: ZipContainer
        do { container = try ZipContainer(url) } catch let error as LocatedError {
            throw LocatedError(file: url.path, "not a readable .npz (zip) archive: \(error.message)")
        }
        var arrays: [String: NumpyArray] = [:]
        for entry in container.entries where entry.path.hasSuffix(".npy") {
            do {
                arrays[String(entry.path.dropLast(4))] = try NumpyArray(npy: try container.data(of: entry))
            } catch let error as LocatedError {
                throw LocatedError(file: "\(url.path)[\(entry.path)]", offset: error.offset, error.message)
            }
        }
        return arrays
    }

    /// The archive member that holds `digest(of:)` of the others, in archives ttur-text writes
    /// and later trusts (FID statistics).
    public static let checksumName = "data_sha256"

    /// The SHA-256 (hex) of every array but `checksumName`, by name: each name, dtype,
    /// shape and C-order bytes, so the same arrays give the same digest however they were zipped.
    public static func digest(of arrays: [String: NumpyArray]) -> String {
        let hasher = SHA256()
        for name in arrays.keys.sorted() where name != checksumName {
            let array = arrays[name]!
            hasher.update(data: Data("\(name)\u{0}\(array.descr)\u{0}\(array.shape)\u{0}\(array.data.count)\u{0}".utf8))
            hasher.update(data: array.data)
        }
        return SHA256.hex(hasher.finalize())
    }

    /// Checks `arrays` against their `checksumName` member where they have one (archives from
    /// numpy, pytorch-fid or the TTUR scripts have none and are taken as they are).
    /// - throws: `LocatedError` naming `url` when the digest differs.
    public static func verify(_ arrays: [String: NumpyArray], from url: URL) throws {
        guard let recorded = arrays[checksumName] else { return }
        guard let expected = try? recorded.string(), expected == digest(of: arrays) else {
            throw LocatedError(file: url.path, "corrupt: the arrays do not match their SHA-256 in \(checksumName).npy (the file was damaged after it was written)")
        }
    }

    /// Writes arrays as an uncompressed .npz (like `numpy.savez`), atomically.
    /// - throws: `LocatedError` naming the file when it cannot be written.
    public static func write(_ arrays: [String: NumpyArray], to url: URL) throws {
        do {
            let archive = try Archive(accessMode: .create)
            for name in arrays.keys.sorted() {
                let bytes = arrays[name]!.npyData()
                try archive.addEntry(with: name + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                                     compressionMethod: .none) { position, size in
                    bytes.subdata(in: Int(position) ..< Int(position) + size)
                }
            }
            guard let data = archive.data else { throw LocatedError("the in-memory archive produced no data") }
            try AtomicFile.write(data, to: url)
        } catch let error as LocatedError {
            throw error.inFile(url.path)
        } catch {
            throw LocatedError(file: url.path, "cannot write .npz: \(error)")
        }
    }
}
