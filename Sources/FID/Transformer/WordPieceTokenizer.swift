import Basics
import Foundation

/// BERT's uncased WordPiece tokenizer, as Hugging Face's `BertTokenizerFast` runs it for
/// all-MiniLM-L6-v2 (Devlin et al. 2019; the `tokenizers` library's BertNormalizer,
/// BertPreTokenizer and WordPiece model), from the model folder's `vocab.txt`:
/// 1. clean: drop NUL, U+FFFD and control characters (tab, newline and carriage return are
///    whitespace), whitespace to spaces; put spaces around CJK ideographs;
/// 2. strip accents (NFD, drop nonspacing marks), then lower-case;
/// 3. split on whitespace, and every punctuation character is a word of its own;
/// 4. each word greedily into the longest vocabulary pieces, later pieces prefixed `##`; a
///    word with no such split, or over 100 characters, is `[UNK]`;
/// 5. `[CLS]` … `[SEP]`, cut to `maxLength` ids.
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(vocabulary: folder.appendingPathComponent("vocab.txt"))
/// tokenizer.ids("Hello, world!")   // [101, 7592, 1010, 2088, 999, 102]
/// ```
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let unknown: Int32, classification: Int32, separator: Int32
    public let maxLength: Int
    static let maxWordCharacters = 100

    /// - throws: `LocatedError` naming the file when it cannot be read or lacks a special token.
    public init(vocabulary url: URL, maxLength: Int = 512) throws {
        let text = try String(decoding: FileBytes.read(url, what: "vocabulary"), as: UTF8.self)
        var vocabulary: [String: Int32] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if !token.isEmpty, vocabulary[token] == nil { vocabulary[token] = Int32(index) }
        }
        func special(_ token: String) throws -> Int32 {
            guard let id = vocabulary[token] else { throw LocatedError(file: url.path, "no \(token) in the vocabulary") }
            return id
        }
        self.vocabulary = vocabulary
        unknown = try special("[UNK]")
        classification = try special("[CLS]")
        separator = try special("[SEP]")
        self.maxLength = maxLength
    }

    /// The ids of `text`, with `[CLS]` and `[SEP]`, at most `maxLength` of them.
    public func ids(_ text: String) -> [Int32] {
        var ids = [classification]
        for word in words(text) {
            ids += pieces(word)
            if ids.count >= maxLength - 1 { break }
        }
        return Array(ids.prefix(maxLength - 1)) + [separator]
    }

    /// Steps 1–3: the normalized words.
    func words(_ text: String) -> [String] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) { cleaned.append(" "); continue }
            if Self.isCJK(value) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars
            .filter { $0.properties.generalCategory != .nonspacingMark }
        let lowered = String(String.UnicodeScalarView(decomposed)).lowercased()
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() { if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() } }
        for scalar in lowered.unicodeScalars {
            if Self.isWhitespace(scalar) { flush(); continue }
            if Self.isPunctuation(scalar) {
                flush()
                words.append(String(scalar))
                continue
            }
            current.append(scalar)
        }
        flush()
        return words
    }

    /// Step 4 for one word.
    func pieces(_ word: String) -> [Int32] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= Self.maxWordCharacters else { return [unknown] }
        var out: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int32?
            while start < end {
                let piece = (start > 0 ? "##" : "") + String(String.UnicodeScalarView(scalars[start..<end]))
                if let id = vocabulary[piece] { found = id; break }
                end -= 1
            }
            guard let found else { return [unknown] }
            out.append(found)
            start = end
        }
        return out
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.generalCategory == .spaceSeparator
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isCJK(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x20000...0x2A6DF).contains(value)
            || (0x2A700...0x2B73F).contains(value) || (0x2B740...0x2B81F).contains(value) || (0x2B820...0x2CEAF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x2F800...0x2FA1F).contains(value)
    }
}
