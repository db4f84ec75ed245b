import Foundation

/// An empty throw-away directory, removed when the value goes away.
public final class TemporaryDirectory {
    public let url: URL

    public init(prefix: String = "ttur-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
