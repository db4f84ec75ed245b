import CCrypto
import Foundation

/// SHA-256 through OpenSSL's libcrypto (Debian's `libssl-dev`): one system library instead
/// of a vendored BoringSSL, which was two thirds of a clean build's compile steps.
///
/// ```swift
/// let hex = SHA256.hex(SHA256.hash(data: Data("abc".utf8)))   // "ba7816bf…"
/// ```
public final class SHA256 {
    private let context: OpaquePointer

    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the digest.
    public func update(bufferPointer bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) }
    }

    /// Adds `bytes` to the digest.
    public func update<Bytes: DataProtocol>(data bytes: Bytes) {
        for region in bytes.regions { region.withUnsafeBytes { update(bufferPointer: $0) } }
    }

    /// The 32-byte digest of everything added so far (the hasher starts over afterwards).
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        return digest
    }

    /// The digest of `bytes`.
    public static func hash<Bytes: DataProtocol>(data bytes: Bytes) -> [UInt8] {
        let hasher = SHA256()
        hasher.update(data: bytes)
        return hasher.finalize()
    }

    /// The digests (lower-case hex) of `bytes` cut into blocks of `blockSize` (the last may
    /// be shorter; none for empty input), hashed on up to `threads` threads: a file's blocks
    /// are checked in parallel and a mismatch names the damaged block.
    public static func blockHexDigests(_ bytes: UnsafeRawBufferPointer, blockSize: Int, threads: Int = 2) -> [String] {
        precondition(blockSize > 0)
        let blocks = (bytes.count + blockSize - 1) / blockSize
        guard blocks > 0 else { return [] }
        let digests = UnsafeMutableBufferPointer<String>.allocate(capacity: blocks)
        digests.initialize(repeating: "")
        defer { digests.deallocate() }
        let workers = max(1, min(threads, blocks))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let hasher = SHA256()
            for block in stride(from: worker, to: blocks, by: workers) {
                let start = block * blockSize
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[start ..< min(start + blockSize, bytes.count)]))
                digests[block] = hex(hasher.finalize())
            }
        }
        return Array(digests)
    }

    /// Lower-case hexadecimal of `digest`.
    public static func hex<Digest: Sequence>(_ digest: Digest) -> String where Digest.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
