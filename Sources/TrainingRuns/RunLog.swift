import Basics
import Foundation

/// Appends one JSON object a line to a run's `log.jsonl` and mirrors every number into
/// TensorBoard event files beside it.
public final class RunLog {
    public let run: RunDirectory
    /// Opened at the first line this process writes.
    private var events: EventFileWriter?

    public init(_ run: RunDirectory) { self.run = run }

    /// Sorted keys, so equal entries give equal bytes (resume tests compare logs).
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// - throws: `LocatedError` when the log cannot be opened; I/O errors of the write.
    public func append<Entry: Encodable>(_ entry: Entry) throws {
        var line = try Self.encoder.encode(entry)
        line.append(UInt8(ascii: "\n"))
        guard let handle = FileHandle(forWritingAtPath: run.log.path) else {
            throw LocatedError(file: run.log.path, "cannot open the log for appending")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        if events == nil { events = try EventFileWriter(directory: run.url) }
        try events?.add(logLine: line)
    }
}
