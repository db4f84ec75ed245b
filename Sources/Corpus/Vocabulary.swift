import Basics
import Foundation

/// The units a dataset knows, by id: `unk` at id 0, then the most frequent units of the corpus.
///
/// ```swift
/// let ids = dataset.vocabulary.encode(line: "Hello .", length: 32)  // 32 ids, padded with "`"
/// let text = dataset.vocabulary.decode(ids: ids)                   // "Hello ."
/// ```
public struct Vocabulary: Sendable, Equatable {
    /// The id every unit outside the vocabulary maps to.
    public static let unknown: TokenID = 0
    /// The text of id 0 in `vocab.tsv`, as the anchor names it.
    public static let unknownName = "unk"
    /// The padding unit that right-fills sentences shorter than the sequence length.
    public static let paddingUnit = "`"
    /// What `decode(ids:)` prints for `unk`, so that decoded lines encode back to the same ids.
    public static let unknownRendering = "\u{FFFD}"

    /// How lines are split into units.
    public let unit: UnitKind
    /// Unit text by id; `units[0]` is ``unknownName``.
    public let units: [String]
    /// Occurrences of each unit in the prepared corpus, padding included (for id 0: the
    /// units that mapped to `unk`).
    public let counts: [Int]

    private let asciiIDs: [TokenID?]
    private let scalarIDs: [UInt32: TokenID]
    private let textIDs: [String: TokenID]

    /// Number of ids, `unk` included.
    public var count: Int { units.count }

    /// The padding unit's id, or nil when it did not make the vocabulary.
    public var padding: TokenID? { id(of: Self.paddingUnit) }

    /// A vocabulary from units in id order (`units[0]` stands for `unk`, whatever its text).
    public init(unit: UnitKind, units: [String], counts: [Int]) {
        precondition(units.count == counts.count && !units.isEmpty && units.count <= 65_536)
        self.unit = unit
        self.units = units
        self.counts = counts
        var ascii = [TokenID?](repeating: nil, count: 128)
        var scalars: [UInt32: TokenID] = [:]
        var texts: [String: TokenID] = [:]
        for (id, text) in units.enumerated().dropFirst() {
            let scalarsOfText = text.unicodeScalars
            if scalarsOfText.count == 1, let s = scalarsOfText.first {
                if s.isASCII { ascii[Int(s.value)] = TokenID(id) } else { scalars[s.value] = TokenID(id) }
            } else {
                texts[text] = TokenID(id)
            }
        }
        asciiIDs = ascii
        scalarIDs = scalars
        textIDs = texts
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        a.unit == b.unit && a.units == b.units && a.counts == b.counts
    }

    /// The id of a unit, or ``unknown``.
    public func id(of unit: String) -> TokenID {
        let scalars = unit.unicodeScalars
        if scalars.count == 1, let s = scalars.first {
            return s.isASCII ? (asciiIDs[Int(s.value)] ?? Self.unknown) : (scalarIDs[s.value] ?? Self.unknown)
        }
        return textIDs[unit] ?? Self.unknown
    }

    /// Encodes one line exactly as corpus preparation does: split into units, truncated to
    /// `length` units, right-padded with the padding unit, units outside the vocabulary as `unk`.
    public func encode(line: String, length: Int) -> [TokenID] {
        var encoder = try! LineEncoder(vocabulary: self)  // a code-point encoder cannot fail
        return encoder.encode(line: line, length: length)
    }

    /// Encodes many lines, reusing one segmenter.
    /// - throws: ``LocatedError`` when ICU cannot open a break iterator.
    public func encode(lines: [String], length: Int) throws -> [[TokenID]] {
        var encoder = try LineEncoder(vocabulary: self)
        return lines.map { encoder.encode(line: $0, length: length) }
    }

    /// The text of a token sequence: trailing padding stripped, `unk` as U+FFFD, words
    /// joined by single spaces.
    public func decode<S: Sequence>(ids: S) -> String where S.Element == TokenID {
        var pieces = ids.map { Int($0) }
        let pad = padding.map(Int.init)
        while let last = pieces.last, last == pad { pieces.removeLast() }
        let texts = pieces.map { $0 == Int(Self.unknown) || $0 >= units.count ? Self.unknownRendering : units[$0] }
        return texts.joined(separator: unit == .word ? " " : "")
    }

    fileprivate func lookUp(ascii byte: UInt8) -> TokenID { asciiIDs[Int(byte)] ?? Self.unknown }
    fileprivate func lookUp(scalar: Unicode.Scalar) -> TokenID { scalarIDs[scalar.value] ?? Self.unknown }
    fileprivate func lookUp(text: String) -> TokenID { textIDs[text] ?? Self.unknown }
}

/// Encodes lines with one vocabulary and one segmenter.
struct LineEncoder {
    private struct Sink: UnitSink {
        let vocabulary: Vocabulary
        var ids: [TokenID] = []
        mutating func ascii(_ byte: UInt8) { ids.append(vocabulary.lookUp(ascii: byte)) }
        mutating func scalar(_ scalar: Unicode.Scalar) { ids.append(vocabulary.lookUp(scalar: scalar)) }
        mutating func text(_ text: String) { ids.append(vocabulary.lookUp(text: text)) }
    }

    private let segmenter: UnitSegmenter
    private var sink: Sink

    init(vocabulary: Vocabulary) throws {
        segmenter = try UnitSegmenter(kind: vocabulary.unit)
        sink = Sink(vocabulary: vocabulary)
    }

    mutating func encode(line: String, length: Int) -> [TokenID] {
        sink.ids.removeAll(keepingCapacity: true)
        var text = line
        text.withUTF8 { bytes in
            _ = segmenter.segment(LineSplitter.trimmingTerminator(bytes), limit: length, into: &sink)
        }
        let pad = sink.vocabulary.padding ?? Vocabulary.unknown
        return sink.ids + [TokenID](repeating: pad, count: length - sink.ids.count)
    }
}

// MARK: - vocab.tsv

extension Vocabulary {
    /// `vocab.tsv`: a header line, then `id<TAB>unit<TAB>count` per id, the unit escaped
    /// (`\\`, `\t`, `\n`, `\r`).
    public var tsv: String {
        var out = "id\tunit\tcount\n"
        for (id, text) in units.enumerated() {
            out += "\(id)\t\(Self.escape(text))\t\(counts[id])\n"
        }
        return out
    }

    /// A SHA-256 (hex) over the unit kind and ``tsv``: equal exactly when two vocabularies are.
    public var fingerprint: String {
        let digest = SHA256.hash(data: Data("unit=\(unit.rawValue)\n\(tsv)".utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Parses `vocab.tsv`.
    /// - throws: ``LocatedError`` naming the line that does not parse.
    public init(tsv: String, unit: UnitKind, path: String) throws {
        var units: [String] = []
        var counts: [Int] = []
        for (index, line) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index == 0 || line.isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, let id = Int(fields[0]), id == units.count, let count = Int(fields[2]) else {
                throw LocatedError(file: path, line: index + 1, "expected `id<TAB>unit<TAB>count` with ids in order")
            }
            units.append(Self.unescape(fields[1]))
            counts.append(count)
        }
        guard !units.isEmpty, units.count <= 65_536 else {
            throw LocatedError(file: path, "a vocabulary needs between 1 and 65,536 ids, found \(units.count)")
        }
        self.init(unit: unit, units: units, counts: counts)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func unescape<S: StringProtocol>(_ text: S) -> String {
        var out = ""
        var escaped = false
        for c in text.unicodeScalars {
            if escaped {
                switch c {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
