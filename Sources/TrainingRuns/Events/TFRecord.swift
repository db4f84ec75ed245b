import Basics
import Foundation

/// TFRecord framing (tensorflow/core/lib/io/record_writer.cc): each record is
///
///     uint64 length, uint32 masked_crc32c(length bytes), data, uint32 masked_crc32c(data)
///
/// all little-endian.
enum TFRecord {
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(payload.count + 16)
        let length = littleEndianBytes(UInt64(payload.count))
        record += length
        record += littleEndianBytes(CRC32C.masked(length))
        record += payload
        record += littleEndianBytes(CRC32C.masked(payload))
        return record
    }

    /// The payloads of every record in `bytes`, each checked against both checksums.
    /// - throws: `LocatedError` naming `file` and the offset of a truncated or corrupt record.
    static func records(in bytes: [UInt8], file: URL) throws -> [ArraySlice<UInt8>] {
        var records: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else { throw LocatedError(file: file.path, "record header truncated at byte \(offset)") }
            let lengthBytes = bytes[offset..<offset + 8]
            guard readLittleEndian(bytes, at: offset + 8, count: 4) == UInt64(CRC32C.masked(lengthBytes)) else {
                throw LocatedError(file: file.path, "length checksum mismatch in the record at byte \(offset)")
            }
            let length = readLittleEndian(bytes, at: offset, count: 8)
            let dataRoom = bytes.count - offset - 16  // after the header and the data's checksum; negative when even those are cut
            guard dataRoom >= 0, length <= UInt64(dataRoom) else {
                throw LocatedError(file: file.path, "record at byte \(offset) is truncated (needs \(length) bytes of data)")
            }
            let start = offset + 12, end = start + Int(length)
            let payload = bytes[start..<end]
            guard readLittleEndian(bytes, at: end, count: 4) == UInt64(CRC32C.masked(payload)) else {
                throw LocatedError(file: file.path, "data checksum mismatch in the record at byte \(offset)")
            }
            records.append(payload)
            offset = end + 4
        }
        return records
    }

    private static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private static func readLittleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << UInt64(8 * $1) }
    }
}
