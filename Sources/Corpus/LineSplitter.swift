import Basics
import Foundation

/// Cuts a stream of text chunks into lines (`\n` or `\r\n` terminated; a last line without
/// a terminator counts), carrying partial lines across chunks.
struct LineSplitter {
    let path: String
    let maxLineBytes: Int
    /// 1-based number of the next line.
    private(set) var lineNumber = 1
    private var carry: [UInt8] = []
    /// Offset in the text of the first byte of the current chunk, and of the current line.
    private var chunkOffset = 0
    private var lineStart = 0

    init(path: String, maxLineBytes: Int) {
        self.path = path
        self.maxLineBytes = maxLineBytes
    }

    /// Calls `body` with each complete line of `chunk`; returns false from `body` to stop.
    /// Returns false when stopped.
    /// - throws: ``LocatedError`` for a line longer than `maxLineBytes`, or what `body` throws.
    mutating func feed(_ chunk: UnsafeRawBufferPointer,
                       _ body: (UnsafeBufferPointer<UInt8>) throws -> Bool) throws -> Bool {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        let end: UnsafePointer<UInt8> = base + chunk.count
        defer { chunkOffset += chunk.count }
        var start = base
        while start < end {
            guard let found = memchr(start, 0x0A, end - start) else {
                try checkLength(carry.count + (end - start))
                carry.append(contentsOf: UnsafeBufferPointer(start: start, count: end - start))
                break
            }
            let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
            let piece = UnsafeBufferPointer(start: start, count: newline - start)
            let keepGoing: Bool
            if carry.isEmpty {
                try checkLength(piece.count)
                keepGoing = try body(Self.trimmingTerminator(piece))
            } else {
                try checkLength(carry.count + piece.count)
                carry.append(contentsOf: piece)
                keepGoing = try carry.withUnsafeBufferPointer { try body(Self.trimmingTerminator($0)) }
                carry.removeAll(keepingCapacity: true)
            }
            lineStart = chunkOffset + (newline + 1 - base)
            lineNumber += 1
            start = newline + 1
            if !keepGoing { return false }
        }
        return true
    }

    /// Delivers a last line that had no terminator.
    mutating func finish(_ body: (UnsafeBufferPointer<UInt8>) throws -> Bool) rethrows {
        guard !carry.isEmpty else { return }
        _ = try carry.withUnsafeBufferPointer { try body(Self.trimmingTerminator($0)) }
        carry.removeAll()
        lineNumber += 1
    }

    private func checkLength(_ count: Int) throws {
        if count > maxLineBytes {
            throw LocatedError(file: path, offset: lineStart, line: lineNumber,
                              "line longer than the limit of \(maxLineBytes) bytes (is this a text corpus?)")
        }
    }

    /// The line without a trailing `\n` and then a trailing `\r`.
    static func trimmingTerminator(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var n = line.count
        if n > 0 && line[n - 1] == 0x0A { n -= 1 }
        if n > 0 && line[n - 1] == 0x0D { n -= 1 }
        return UnsafeBufferPointer(rebasing: line[0..<n])
    }
}
