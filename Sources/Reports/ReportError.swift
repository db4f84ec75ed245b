import Foundation

/// A report or event file that cannot be read or written, with the file and what was wrong.
public struct ReportError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }

    static func at(_ url: URL, _ what: String) -> ReportError { ReportError("\(url.path): \(what)") }
}
