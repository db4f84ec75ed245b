import Basics
import Foundation

/// A file of sentences, one a line, as `eval` reads samples and references.
public enum SentenceFile {
    /// The lines of a sentence file (one sentence a line, split on bytes: "\r\n" is one Character
    /// and the encoder drops a trailing "\r"; a final newline ends the last line).
    /// - throws: `LocatedError` naming the file when it cannot be read or holds no lines.
    public static func lines(_ path: String, what: String) throws -> [String] {
        guard let text = FileManager.default.contents(atPath: path) else {
            throw LocatedError(file: path, "cannot read the \(what) file")
        }
        var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw LocatedError(file: path, "no \(what) in the file") }
        return lines.map { String(decoding: $0, as: UTF8.self) }
    }
}
