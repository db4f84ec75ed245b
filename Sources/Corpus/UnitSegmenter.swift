import Basics
import CICUShim

/// Receives the units of a line, each in its canonical form: a unit that is one ASCII
/// character always arrives through `ascii`, one that is a single other scalar through
/// `scalar`, anything longer through `text`. So the same unit maps to the same id whether
/// it came through a fast path or through ICU.
protocol UnitSink {
    mutating func ascii(_ byte: UInt8)
    mutating func scalar(_ scalar: Unicode.Scalar)
    mutating func text(_ text: String)
}

/// Splits UTF-8 lines into units of one ``UnitKind``.
///
/// Invalid UTF-8 is replaced by U+FFFD (one per maximal invalid subpart, as Swift's and
/// Python's decoders do) and counted. Not thread-safe: one per thread (it owns ICU break
/// iterators and scratch buffers).
final class UnitSegmenter {
    let kind: UnitKind
    private var iterator: UnsafeMutableRawPointer?
    private var utf16: [UInt16] = []
    private var lowered: [UInt16] = []

    init(kind: UnitKind) throws {
        self.kind = kind
        if kind != .codepoint {
            var error: Int32 = 0
            iterator = ttur_break_open(kind == .word ? Int32(TTUR_BREAK_WORD.rawValue)
                                                      : Int32(TTUR_BREAK_CHARACTER.rawValue), &error)
            if iterator == nil {
                throw LocatedError(file: "ICU", "cannot open a break iterator: \(String(cString: ttur_icu_error_name(error)))")
            }
        }
    }

    deinit { ttur_break_close(iterator) }

    /// Feeds the first `limit` units of `line` (UTF-8, no line terminator) to `sink`.
    /// Returns how many units were fed and how many invalid UTF-8 sequences the whole line had.
    func segment<Sink: UnitSink>(_ line: UnsafeBufferPointer<UInt8>, limit: Int,
                                 into sink: inout Sink) -> (units: Int, invalid: Int) {
        if kind != .word && Self.isASCII(line) {
            // ASCII fast path: for code points trivially, and for grapheme clusters because the
            // only multi-character ASCII cluster is CR LF, which a line never contains.
            let n = min(limit, line.count)
            for i in 0..<n { sink.ascii(line[i]) }
            return (n, 0)
        }
        return segmentSlow(line, limit: limit, into: &sink)
    }

    @inline(never)
    private func segmentSlow<Sink: UnitSink>(_ line: UnsafeBufferPointer<UInt8>, limit: Int,
                                             into sink: inout Sink) -> (units: Int, invalid: Int) {
        var invalid = 0
        if kind == .codepoint {
            var units = 0
            var bytes = line.makeIterator()
            var decoder = UTF8()
            loop: while true {
                let scalar: Unicode.Scalar
                switch decoder.decode(&bytes) {
                case .scalarValue(let s): scalar = s
                case .error: scalar = "\u{FFFD}"; invalid += 1
                case .emptyInput: break loop
                }
                if units < limit {
                    if scalar.isASCII { sink.ascii(UInt8(scalar.value)) } else { sink.scalar(scalar) }
                    units += 1
                }
            }
            return (units, invalid)
        }

        utf16.removeAll(keepingCapacity: true)
        var bytes = line.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&bytes) {
            case .scalarValue(let s): UTF16.encode(s) { utf16.append($0) }
            case .error: utf16.append(0xFFFD); invalid += 1
            case .emptyInput: break loop
            }
        }
        if kind == .word { lowerCase() }
        let text = kind == .word ? lowered : utf16
        return (text.withUnsafeBufferPointer { clusters(of: $0, limit: limit, into: &sink) }, invalid)
    }

    private func lowerCase() {
        var error: Int32 = 0
        let capacity = utf16.count * 3 + 16
        if lowered.count < capacity { lowered = [UInt16](repeating: 0, count: capacity) }
        let n = utf16.withUnsafeBufferPointer { source in
            lowered.withUnsafeMutableBufferPointer { destination in
                ttur_to_lower(source.baseAddress, Int32(source.count), destination.baseAddress,
                              Int32(destination.count), &error)
            }
        }
        lowered.removeSubrange(Int(n)...)
    }

    private func clusters<Sink: UnitSink>(of text: UnsafeBufferPointer<UInt16>, limit: Int,
                                          into sink: inout Sink) -> Int {
        var error: Int32 = 0
        ttur_break_set_text(iterator, text.baseAddress, Int32(text.count), &error)
        var units = 0
        var start = 0
        while units < limit {
            let end = Int(ttur_break_next(iterator))
            if end < 0 { break }
            defer { start = end }
            let piece = UnsafeBufferPointer(rebasing: text[start..<end])
            if kind == .word && Self.isWhitespace(piece) { continue }
            if piece.count == 1 && piece[0] < 0x80 {
                sink.ascii(UInt8(piece[0]))
            } else if let scalar = Self.singleScalar(piece) {
                sink.scalar(scalar)
            } else {
                sink.text(String(decoding: piece, as: UTF16.self))
            }
            units += 1
        }
        return units
    }

    static func isASCII(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = line.baseAddress else { return true }
        var i = 0
        let n = line.count
        // Eight bytes at a time: no byte may have its high bit set.
        while i + 8 <= n {
            if UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                return false
            }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    private static func singleScalar(_ piece: UnsafeBufferPointer<UInt16>) -> Unicode.Scalar? {
        if piece.count == 1, let s = Unicode.Scalar(UInt32(piece[0])) { return s }
        if piece.count == 2, UTF16.isLeadSurrogate(piece[0]), UTF16.isTrailSurrogate(piece[1]) {
            return Unicode.Scalar(0x10000 + ((UInt32(piece[0]) - 0xD800) << 10) + (UInt32(piece[1]) - 0xDC00))
        }
        return nil
    }

    private static func isWhitespace(_ piece: UnsafeBufferPointer<UInt16>) -> Bool {
        String(decoding: piece, as: UTF16.self).unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }
}
