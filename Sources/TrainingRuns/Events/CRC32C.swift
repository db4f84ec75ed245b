/// CRC-32C (Castagnoli), the checksum TFRecord framing uses, and TensorFlow's masking of it.
///
/// Table-driven, reflected polynomial 0x82F63B78; check value crc32c("123456789") = 0xE3069283
/// (RFC 3720, appendix B.4).
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    /// TensorFlow's `MaskedCrc` (tensorflow/core/lib/hash/crc32c.h): rotate right by 15 and add
    /// a constant, so that a CRC stored inside CRC-protected data does not checksum to a
    /// fixed value.
    static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
