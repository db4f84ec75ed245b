import CZlibShim
import Foundation
import Tensors

/// The zip containers of `torch.save` checkpoints and `.npz` statistics, read by ttur-text
/// itself: the end-of-central-directory record (and its zip64 form), every central-directory
/// entry (with zip64 extra fields) and every local header are checked to lie inside the file
/// before any member is read, and members are stored or deflated (zlib), CRC-32 checked on
/// request. Format: PKWARE's APPNOTE.TXT, sections 4.3.6–4.3.16 and 4.5.3.
///
/// Why not ZIPFoundation (still used to write `.npz`): it trusts a header's offsets (a zip64
/// directory offset beyond `Int64.max` made it trap), its in-memory archive traps on a
/// damaged directory, and its file-backed one leaks the C path it opens on Linux — all found
/// by the fuzzers.
struct ZipContainer {
    struct Entry {
        let path: String
        /// 0 stored, 8 deflated.
        let method: UInt64
        let compressedSize: UInt64
        let uncompressedSize: UInt64
        let crc32: UInt64
        /// Where the member's bytes start in the file.
        let dataOffset: UInt64
    }

    /// In central-directory order.
    let entries: [Entry]
    private let file: Data

    /// - throws: `LocatedError` naming what lies outside the file or is damaged.
    init(_ url: URL) throws {
        let file: Data
        do { file = try FileBytes.mapped(url) } catch { throw LocatedError("cannot read the zip container: \(error.localizedDescription)") }
        self.file = file
        let fileSize = UInt64(file.count)
        func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
            guard offset <= fileSize, UInt64(count) <= fileSize - offset else {
                throw LocatedError("zip structure at byte \(offset) runs past the end of the file")
            }
            let start = file.startIndex + Int(offset)
            return [UInt8](file[start ..< start + count])
        }
        func integer(_ b: [UInt8], _ at: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
        }

        // End of central directory: within the last 22 + 65,535 bytes.
        let tailLength = Int(min(fileSize, 22 + 65_535))
        let tail = try bytes(at: fileSize - UInt64(tailLength), count: tailLength)
        guard tailLength >= 22, let end = stride(from: tailLength - 22, through: 0, by: -1).first(where: {
            integer(tail, $0, 4) == 0x0605_4B50
        }) else { throw LocatedError("not a zip container: no end-of-central-directory record") }
        let endOffset = fileSize - UInt64(tailLength) + UInt64(end)
        // Both directory descriptions are checked: PyTorch writes a zip64 record even for small
        // files; the zip64 values stand in for saturated classic ones.
        var descriptions = [(entries: integer(tail, end + 10, 2), size: integer(tail, end + 12, 4),
                             offset: integer(tail, end + 16, 4))]
        if endOffset >= 20 {
            let locator = try bytes(at: endOffset - 20, count: 20)
            if integer(locator, 0, 4) == 0x0706_4B50 {
                let record = try bytes(at: integer(locator, 8, 8), count: 56)
                guard integer(record, 0, 4) == 0x0606_4B50 else { throw LocatedError("zip64 end record missing") }
                descriptions.append((integer(record, 32, 8), integer(record, 40, 8), integer(record, 48, 8)))
            }
        }
        var read: [Entry]?
        for (index, description) in descriptions.enumerated() {
            let saturated = description.entries == 0xFFFF || description.size == 0xFFFF_FFFF
                || description.offset == 0xFFFF_FFFF
            if index == 0 && saturated && descriptions.count > 1 { continue }
            let found = try Self.directory(entries: description.entries, size: description.size,
                                           offset: description.offset, fileSize: fileSize, bytes: bytes, integer: integer)
            if index == descriptions.count - 1 || read == nil { read = found }
        }
        entries = read ?? []
    }

    /// The member's bytes, inflated when deflated; the CRC-32 is compared when `checkCRC`.
    /// - throws: `LocatedError` for an unsupported method, a damaged stream, or a size or CRC
    ///   that disagrees with the directory.
    func data(of entry: Entry, checkCRC: Bool = true) throws -> Data {
        let start = file.startIndex + Int(entry.dataOffset)
        let stored = file[start ..< start + Int(entry.compressedSize)]
        let out: Data
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw LocatedError("zip member \(entry.path): stored with \(entry.compressedSize) bytes, \(entry.uncompressedSize) declared")
            }
            out = Data(stored)
        case 8:
            out = try Self.inflate(stored, expected: entry.uncompressedSize, path: entry.path)
        default:
            throw LocatedError("zip member \(entry.path): unsupported compression method \(entry.method)")
        }
        if checkCRC {
            let crc = out.withUnsafeBytes { buffer in
                UInt64(crc32(0, buffer.bindMemory(to: Bytef.self).baseAddress, uInt(buffer.count)))
            }
            guard crc == entry.crc32 else { throw LocatedError("zip member \(entry.path): CRC-32 mismatch (damaged data)") }
        }
        return out
    }

    /// Raw deflate → bytes, never more than `expected` (the directory's word, checked as the
    /// output arrives rather than trusted for an allocation).
    private static func inflate(_ input: Data, expected: UInt64, path: String) throws -> Data {
        var stream = z_stream()
        guard ttur_inflate_init_raw(&stream) == Z_OK else { throw LocatedError("zlib could not start inflating \(path)") }
        defer { inflateEnd(&stream) }
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let status: Int32 = input.withUnsafeBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            var result = Z_OK
            while result == Z_OK {
                result = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let code = CZlibShim.inflate(&stream, Z_NO_FLUSH)
                    out.append(target.baseAddress!, count: target.count - Int(stream.avail_out))
                    return code
                }
                if UInt64(out.count) > expected { return Z_DATA_ERROR }
                if result == Z_BUF_ERROR && stream.avail_in == 0 { return Z_BUF_ERROR }
            }
            return result
        }
        guard status == Z_STREAM_END, UInt64(out.count) == expected else {
            throw LocatedError("zip member \(path): damaged deflate data (\(out.count) bytes inflated, \(expected) declared)")
        }
        return out
    }

    private static func directory(entries: UInt64, size directorySize: UInt64, offset directoryOffset: UInt64,
                                  fileSize: UInt64, bytes: (UInt64, Int) throws -> [UInt8],
                                  integer: ([UInt8], Int, Int) -> UInt64) throws -> [Entry] {
        guard directoryOffset <= fileSize, directorySize <= fileSize - directoryOffset else {
            throw LocatedError("zip central directory (\(directorySize) bytes at \(directoryOffset)) lies outside the file")
        }
        guard entries <= directorySize / 46 + 1 else { throw LocatedError("zip entry count \(entries) does not fit its directory") }

        let directory = try bytes(directoryOffset, Int(directorySize))
        var found: [Entry] = []
        var position = 0
        for index in 0..<Int(entries) {
            guard position + 46 <= directory.count, integer(directory, position, 4) == 0x0201_4B50 else {
                throw LocatedError("zip central directory entry \(index) is damaged")
            }
            var compressed = integer(directory, position + 20, 4)
            var uncompressed = integer(directory, position + 24, 4)
            let nameLength = Int(integer(directory, position + 28, 2))
            let extraLength = Int(integer(directory, position + 30, 2))
            let commentLength = Int(integer(directory, position + 32, 2))
            var localOffset = integer(directory, position + 42, 4)
            let extraStart = position + 46 + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= directory.count else { throw LocatedError("zip central directory entry \(index) is damaged") }
            // zip64 extended information: the 8-byte values replace the saturated ones, in order.
            var field = extraStart
            while field + 4 <= extraStart + extraLength {
                let id = integer(directory, field, 2), size = Int(integer(directory, field + 2, 2))
                guard field + 4 + size <= extraStart + extraLength else { break }
                if id == 0x0001 {
                    var cursor = field + 4
                    func take(_ value: inout UInt64) {
                        if value == 0xFFFF_FFFF, cursor + 8 <= field + 4 + size {
                            value = integer(directory, cursor, 8)
                            cursor += 8
                        }
                    }
                    take(&uncompressed)
                    take(&compressed)
                    take(&localOffset)
                }
                field += 4 + size
            }
            let local = try bytes(localOffset, 30)
            guard integer(local, 0, 4) == 0x0403_4B50 else {
                throw LocatedError("zip entry \(index): no local header at byte \(localOffset)")
            }
            let dataStart = localOffset + 30 + integer(local, 26, 2) + integer(local, 28, 2)
            guard dataStart <= fileSize, compressed <= fileSize - dataStart, uncompressed <= Int64.max else {
                throw LocatedError("zip entry \(index) (\(compressed) bytes at \(dataStart)) lies outside the file")
            }
            let name = String(decoding: directory[(position + 46) ..< (position + 46 + nameLength)], as: UTF8.self)
            found.append(Entry(path: name, method: integer(directory, position + 10, 2), compressedSize: compressed,
                               uncompressedSize: uncompressed, crc32: integer(directory, position + 16, 4),
                               dataOffset: dataStart))
            position = next
        }
        return found
    }
}
