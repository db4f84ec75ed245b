import Basics
import Foundation

/// Progress on standard error: one line rewritten in place on a terminal (at most ten times
/// a second), plain lines otherwise (at most one every ten seconds), so logs stay readable.
final class ProgressLine: ProgressReporter {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var last = Date.distantPast
    private var pending = false

    func update(_ text: String) {
        let now = Date()
        let interval = isTerminal ? 0.1 : 10
        guard now.timeIntervalSince(last) >= interval else { return }
        last = now
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            pending = true
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    /// A result line, on standard output.
    func report(_ text: String) { print(text) }

    /// Ends the current line with a final message.
    func finish(_ text: String) {
        let prefix = isTerminal && pending ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data("\(prefix)\(text)\n".utf8))
        pending = false
        last = .distantPast
    }
}
