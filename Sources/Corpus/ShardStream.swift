import CZstd
import Basics
import Foundation

/// Reads one shard, plain or zstd, as a stream of decompressed chunks, hashing the file's
/// bytes (SHA-256) as it goes.
///
/// A `.zst` shard is decompressed with libzstd's streaming API, so multi-frame files and
/// skippable frames work and memory stays constant.
final class ShardStream {
    static let chunkSize = 1 << 20

    let path: String
    let isZstd: Bool
    /// Bytes of the file read so far.
    private(set) var fileBytesRead = 0
    /// Decompressed bytes returned so far.
    private(set) var textBytes = 0

    private let fd: Int32
    private var hasher = SHA256()
    private let input = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16)
    private let output: UnsafeMutableRawPointer
    private var inBuffer = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    private var chunkStart = 0
    private var endOfFile = false
    private var frameOpen = false
    private let dctx: OpaquePointer?

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw LocatedError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        isZstd = path.hasSuffix(".zst")
        if isZstd {
            dctx = ZSTD_createDCtx()
            output = UnsafeMutableRawPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        } else {
            dctx = nil
            output = input
        }
    }

    deinit {
        close(fd)
        input.deallocate()
        if isZstd {
            output.deallocate()
            ZSTD_freeDCtx(dctx)
        }
    }

    /// The SHA-256 of the whole file (reading whatever is left unread), in hex.
    func finishHash() throws -> String {
        while !endOfFile { try refill() }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The next chunk of text, or nil at the end. The buffer is valid until the next call.
    /// - throws: ``LocatedError`` for an empty shard, a file named `.zst` that is not zstd,
    ///   a corrupt frame or one the file ends inside, naming the byte offset.
    func next() throws -> UnsafeRawBufferPointer? {
        let chunk = isZstd ? try nextDecompressed() : try nextPlain()
        if let chunk { textBytes += chunk.count }
        if chunk == nil && textBytes == 0 { throw LocatedError(file: path, "empty shard: no text in it") }
        return chunk
    }

    private func nextPlain() throws -> UnsafeRawBufferPointer? {
        try refill()
        return inBuffer.size > 0 ? UnsafeRawBufferPointer(start: input, count: inBuffer.size) : nil
    }

    private func nextDecompressed() throws -> UnsafeRawBufferPointer? {
        var out = ZSTD_outBuffer(dst: output, size: Self.chunkSize, pos: 0)
        while true {
            if inBuffer.pos == inBuffer.size && !endOfFile {
                try refill()
                if chunkStart == 0 && inBuffer.size > 0 { try checkMagic() }
            }
            let exhausted = inBuffer.pos == inBuffer.size && endOfFile
            let (inBefore, outBefore) = (inBuffer.pos, out.pos)
            let result = ZSTD_decompressStream(dctx, &out, &inBuffer)
            if ZSTD_isError(result) != 0 {
                throw LocatedError(file: path, offset: chunkStart + inBuffer.pos,
                                  "corrupt zstd data (\(String(cString: ZSTD_getErrorName(result))))")
            }
            // With no input and nothing flushed, the result only hints at the next frame's header.
            if inBuffer.pos != inBefore || out.pos != outBefore { frameOpen = result != 0 }
            if out.pos == out.size { return UnsafeRawBufferPointer(start: output, count: out.pos) }
            if exhausted {
                if out.pos > 0 { return UnsafeRawBufferPointer(start: output, count: out.pos) }
                if fileBytesRead == 0 { throw LocatedError(file: path, "empty shard: the file has no bytes") }
                if frameOpen {
                    throw LocatedError(file: path, offset: fileBytesRead,
                                      "truncated zstd frame: the file ends inside a frame")
                }
                return nil
            }
        }
    }

    private func checkMagic() throws {
        guard inBuffer.size >= 4 else {
            throw LocatedError(file: path, offset: 0, "not a zstd file: too short for a frame header")
        }
        let magic = UnsafeRawPointer(input).loadUnaligned(as: UInt32.self).littleEndian
        let skippable = magic & 0xFFFF_FFF0 == 0x184D_2A50
        if magic != 0xFD2F_B528 && !skippable {
            throw LocatedError(file: path, offset: 0, "not a zstd file: no zstd magic number")
        }
    }

    private func refill() throws {
        chunkStart = fileBytesRead
        var n: Int
        repeat { n = read(fd, input, Self.chunkSize) } while n < 0 && errno == EINTR
        if n < 0 {
            throw LocatedError(file: path, offset: fileBytesRead, "read failed: \(String(cString: strerror(errno)))")
        }
        if n == 0 { endOfFile = true }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: input, count: n))
        fileBytesRead += n
        inBuffer = ZSTD_inBuffer(src: input, size: n, pos: 0)
    }
}

/// Whole-shard checks outside a preparation run (the fuzz targets use this).
public enum ShardCheck {
    /// Reads the shard at `path` to its end and returns its decompressed size.
    /// - throws: ``LocatedError`` exactly as a preparation run would meet it.
    public static func decompressedSize(ofShard path: String) throws -> Int {
        let stream = try ShardStream(path: path)
        var total = 0
        while let chunk = try stream.next() { total += chunk.count }
        return total
    }
}
