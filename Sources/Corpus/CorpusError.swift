/// Everything that can go wrong while reading a corpus or a prepared dataset.
///
/// Rendered once, at the command line, as one line naming the file and, where it applies,
/// the byte offset or line number: `news.en-00001-of-00100.zst: byte 1,024: corrupt zstd
/// data (Corrupted block detected)`.
public struct CorpusError: Error, CustomStringConvertible, Sendable {
    /// The file or directory concerned.
    public let path: String
    /// Byte offset in the file (compressed offset for zstd framing errors, offset in the
    /// decompressed text for line errors), where it applies.
    public let byteOffset: Int?
    /// 1-based line number in the decompressed text, where it applies.
    public let line: Int?
    /// What is wrong, in words.
    public let message: String

    public init(path: String, byteOffset: Int? = nil, line: Int? = nil, _ message: String) {
        self.path = path
        self.byteOffset = byteOffset
        self.line = line
        self.message = message
    }

    public var description: String {
        var parts = [path]
        if let line { parts.append("line \(line)") }
        if let byteOffset { parts.append("byte \(byteOffset)") }
        return parts.joined(separator: ": ") + ": " + message
    }
}
