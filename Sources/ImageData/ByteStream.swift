import Basics
import CZlibShim
import Foundation

/// A file read front to back, plain or gzip-compressed (recognised by its magic bytes
/// `1f 8b`, whatever its name): gzip is inflated in chunks as it is read, so nothing is
/// allocated from a length the file states, only from bytes that actually arrive.
final class ByteStream {
    let name: String
    /// The whole length of a plain file; nil for gzip, whose length is known only at its end.
    let plainLength: Int?
    private var plain: Data?
    private var position = 0
    private var gzip: GzipInflater?

    init(_ url: URL) throws {
        name = url.path
        let data = try FileBytes.read(url)
        if data.starts(with: [0x1F, 0x8B]) {
            gzip = try GzipInflater(url)
            plainLength = nil
        } else {
            plain = data
            plainLength = data.count
        }
    }

    var isCompressed: Bool { gzip != nil }

    /// Bytes read so far (decompressed bytes for gzip).
    var offset: Int { position }

    /// The next `count` bytes, or nil when the data ends first.
    func read(_ count: Int) throws -> [UInt8]? {
        if let plain {
            guard count <= plain.count - position else { return nil }
            let start = plain.startIndex + position
            position += count
            return [UInt8](plain[start ..< start + count])
        }
        var out: [UInt8] = []
        try gzip!.read(count, into: &out)
        position += out.count
        return out.count == count ? out : nil
    }

    /// Whether every byte has been read; for gzip, also that the stream ends properly
    /// (end marker and CRC-32 checked).
    func atEnd() throws -> Bool {
        if let plain { return position == plain.count }
        var probe: [UInt8] = []
        try gzip!.read(1, into: &probe)
        return probe.isEmpty
    }
}

/// zlib's inflate over a gzip file, streamed: compressed input in 64 KiB chunks from the file,
/// output appended as asked. Concatenated gzip members are read as one stream, as gunzip does.
final class GzipInflater {
    private let name: String
    private let handle: FileHandle
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private static let chunk = 1 << 16
    private var inputEnded = false
    private var streamEnded = false

    init(_ url: URL) throws {
        name = url.path
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw LocatedError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: Self.chunk)
        guard ttur_inflate_init_gzip(stream) == Z_OK else {
            stream.deallocate()
            input.deallocate()
            try? handle.close()
            throw LocatedError(file: url.path, "zlib could not start inflating")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
        try? handle.close()
    }

    /// Appends up to `count` decompressed bytes to `out`; fewer only at the end of the data.
    /// - throws: `LocatedError` naming the file for corrupt or truncated gzip data.
    func read(_ count: Int, into out: inout [UInt8]) throws {
        var remaining = count
        var buffer = [UInt8](repeating: 0, count: min(count, Self.chunk))
        while remaining > 0 && !streamEnded {
            if stream.pointee.avail_in == 0 && !inputEnded { try refill() }
            let want = min(remaining, buffer.count)
            let (status, produced) = buffer.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = UInt32(want)
                let status = inflate(stream, Z_NO_FLUSH)
                return (status, want - Int(stream.pointee.avail_out))
            }
            out += buffer.prefix(produced)
            remaining -= produced
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                // Another member may follow (gzip -c a b > c); anything else fails its header check.
                if stream.pointee.avail_in == 0 && !inputEnded { try refill() }
                if stream.pointee.avail_in == 0 {
                    streamEnded = true
                } else {
                    inflateReset(stream)
                }
            case Z_BUF_ERROR where inputEnded && stream.pointee.avail_in == 0:
                throw LocatedError(file: name, "truncated gzip data: the file ends inside the compressed stream")
            case Z_BUF_ERROR:
                continue
            case Z_MEM_ERROR:
                throw LocatedError(file: name, "out of memory while inflating gzip data")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw LocatedError(file: name, "corrupt gzip data: \(message)")
            }
        }
    }

    private func refill() throws {
        let data: Data
        do {
            data = try handle.read(upToCount: Self.chunk) ?? Data()
        } catch {
            throw LocatedError(file: name, "cannot read: \(error.localizedDescription)")
        }
        if data.isEmpty { inputEnded = true }
        data.copyBytes(to: input, count: data.count)
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(data.count)
    }
}
