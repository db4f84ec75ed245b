/// The one error of ttur-text: what went wrong, and where: the file (when there is one),
/// the byte offset or line in it (where they apply), and what was expected, in words.
///
/// Rendered once, at the command line, as one line:
/// `news.en-00001-of-00100.zst: line 3: byte 1024: corrupt zstd data`.
///
/// ```swift
/// throw LocatedError(file: url.path, offset: 8, "header length exceeds the file")
/// ```
public struct LocatedError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or directory concerned, when there is one.
    public let file: String?
    /// Byte offset in the file, where it applies.
    public let offset: Int?
    /// 1-based line number, where it applies.
    public let line: Int?
    /// What is wrong, in words.
    public let message: String

    public init(file: String? = nil, offset: Int? = nil, line: Int? = nil, _ message: String) {
        self.file = file
        self.offset = offset
        self.line = line
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let line { parts.append("line \(line)") }
        if let offset { parts.append("byte \(offset)") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// The same error attributed to `file` when it had none.
    public func inFile(_ file: String) -> LocatedError {
        self.file == nil ? LocatedError(file: file, offset: offset, line: line, message) : self
    }
}
