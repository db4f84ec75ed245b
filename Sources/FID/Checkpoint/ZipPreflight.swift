import Foundation

/// Checks a zip container's directory against the file before ZIPFoundation reads it.
///
/// ZIPFoundation trusts the offsets and sizes in a zip's headers; a corrupt header with an
/// offset beyond `Int64.max` makes it trap (found by the mutation fuzzer). This walks the
/// end-of-central-directory record (and its zip64 form), every central-directory entry
/// (with zip64 extra fields) and every local header, and proves that each stays inside the
/// file, so what reaches ZIPFoundation is at worst wrong data, which it reports as an error.
/// Format: PKWARE's APPNOTE.TXT, sections 4.3.6–4.3.16 and 4.5.3.
enum ZipPreflight {
    /// - throws: `FIDError` naming what lies outside the file.
    static func check(_ url: URL) throws {
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw FIDError("cannot open the zip container") }
        defer { try? handle.close() }
        let fileSize = UInt64((try? handle.seekToEnd()) ?? 0)
        func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
            guard offset <= fileSize, UInt64(count) <= fileSize - offset else {
                throw FIDError("zip structure at byte \(offset) runs past the end of the file")
            }
            try handle.seek(toOffset: offset)
            let data = try handle.read(upToCount: count) ?? Data()
            guard data.count == count else { throw FIDError("zip structure at byte \(offset) is truncated") }
            return [UInt8](data)
        }
        func integer(_ b: [UInt8], _ at: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
        }

        // End of central directory: within the last 22 + 65,535 bytes.
        let tailLength = Int(min(fileSize, 22 + 65_535))
        let tail = try bytes(at: fileSize - UInt64(tailLength), count: tailLength)
        guard tailLength >= 22, let end = stride(from: tailLength - 22, through: 0, by: -1).first(where: {
            integer(tail, $0, 4) == 0x0605_4B50
        }) else { throw FIDError("not a zip container: no end-of-central-directory record") }
        let endOffset = fileSize - UInt64(tailLength) + UInt64(end)
        // Both directory descriptions are checked: PyTorch writes a zip64 record even for small
        // files, and ZIPFoundation then trusts the zip64 values whether or not the classic
        // ones are saturated.
        var descriptions = [(entries: integer(tail, end + 10, 2), size: integer(tail, end + 12, 4),
                             offset: integer(tail, end + 16, 4))]
        if endOffset >= 20 {
            let locator = try bytes(at: endOffset - 20, count: 20)
            if integer(locator, 0, 4) == 0x0706_4B50 {
                let record = try bytes(at: integer(locator, 8, 8), count: 56)
                guard integer(record, 0, 4) == 0x0606_4B50 else { throw FIDError("zip64 end record missing") }
                descriptions.append((integer(record, 32, 8), integer(record, 40, 8), integer(record, 48, 8)))
            }
        }
        for (index, description) in descriptions.enumerated() {
            let saturated = description.entries == 0xFFFF || description.size == 0xFFFF_FFFF
                || description.offset == 0xFFFF_FFFF
            if index == 0 && saturated && descriptions.count > 1 { continue }  // the zip64 values stand in
            try checkDirectory(entries: description.entries, size: description.size, offset: description.offset,
                               fileSize: fileSize, bytes: bytes, integer: integer)
        }
    }

    private static func checkDirectory(entries: UInt64, size directorySize: UInt64, offset directoryOffset: UInt64,
                                       fileSize: UInt64, bytes: (UInt64, Int) throws -> [UInt8],
                                       integer: ([UInt8], Int, Int) -> UInt64) throws {
        guard directoryOffset <= fileSize, directorySize <= fileSize - directoryOffset else {
            throw FIDError("zip central directory (\(directorySize) bytes at \(directoryOffset)) lies outside the file")
        }
        guard entries <= directorySize / 46 + 1 else { throw FIDError("zip entry count \(entries) does not fit its directory") }

        let directory = try bytes(directoryOffset, Int(directorySize))
        var position = 0
        for index in 0..<Int(entries) {
            guard position + 46 <= directory.count, integer(directory, position, 4) == 0x0201_4B50 else {
                throw FIDError("zip central directory entry \(index) is damaged")
            }
            var compressed = integer(directory, position + 20, 4)
            var uncompressed = integer(directory, position + 24, 4)
            let nameLength = Int(integer(directory, position + 28, 2))
            let extraLength = Int(integer(directory, position + 30, 2))
            let commentLength = Int(integer(directory, position + 32, 2))
            var localOffset = integer(directory, position + 42, 4)
            let extraStart = position + 46 + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= directory.count else { throw FIDError("zip central directory entry \(index) is damaged") }
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
                throw FIDError("zip entry \(index): no local header at byte \(localOffset)")
            }
            let dataStart = localOffset + 30 + integer(local, 26, 2) + integer(local, 28, 2)
            guard dataStart <= fileSize, compressed <= fileSize - dataStart, uncompressed <= Int64.max else {
                throw FIDError("zip entry \(index) (\(compressed) bytes at \(dataStart)) lies outside the file")
            }
            position = next
        }
    }
}
