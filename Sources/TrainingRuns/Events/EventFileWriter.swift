import Basics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a TensorBoard event file, `DIR/events.out.tfevents.<seconds>.<host>`, so that
/// `tensorboard --logdir DIR` (or its parent) shows the run's scalars.
///
///     let events = try EventFileWriter(directory: run)
///     try events.add(["jsd/4": 0.31, "critic_loss": -1.2], step: 100)
///
/// Every record is written through to the file at once: evaluations are seconds apart, and
/// a crash then loses nothing that the JSON log kept.
public final class EventFileWriter {
    public let url: URL
    private let handle: FileHandle

    /// Creates the file (a numbered name when one from the same second exists) and writes
    /// the `file_version` event that opens every event file.
    /// - throws: `LocatedError` when the file cannot be created.
    public init(directory: URL, now: Date = Date()) throws {
        let base = String(format: "events.out.tfevents.%010ld.%@", Int(now.timeIntervalSince1970), Self.hostName())
        var candidate = directory.appendingPathComponent(base)
        var number = 1
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = directory.appendingPathComponent("\(base).\(number)")
            number += 1
        }
        guard FileManager.default.createFile(atPath: candidate.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: candidate.path) else {
            throw LocatedError(file: candidate.path, "cannot create the event file")
        }
        url = candidate
        self.handle = handle
        try write(TensorBoardEvent(wallTime: now.timeIntervalSince1970, step: 0,
                                   content: .fileVersion(TensorBoardEvent.fileVersion)))
    }

    deinit { try? handle.close() }

    /// Appends one event as a TFRecord.
    public func write(_ event: TensorBoardEvent) throws {
        do {
            try handle.write(contentsOf: TFRecord.frame(event.encoded()))
        } catch {
            throw LocatedError(file: url.path, "cannot write: \(error.localizedDescription)")
        }
    }

    /// Appends one event holding `scalars` (sorted by tag) at `step`.
    public func add(_ scalars: [String: Double], step: Int, wallTime: Date = Date()) throws {
        let values = scalars.sorted { $0.key < $1.key }.map { TensorBoardEvent.Scalar(tag: $0.key, value: Float($0.value)) }
        try write(TensorBoardEvent(wallTime: wallTime.timeIntervalSince1970, step: Int64(step), content: .scalars(values)))
    }

    /// Appends every number of one `log.jsonl` line (nested keys joined with "/", step =
    /// its `iteration`).
    /// - throws: `LocatedError` when the line is not a log object.
    public func add(logLine: Data, wallTime: Date = Date()) throws {
        let (step, scalars) = try LogScalars.parse(logLine, source: url.path)
        try add(scalars, step: step, wallTime: wallTime)
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name.replacingOccurrences(of: "/", with: "_")
    }
}

/// Reads event files back: TFRecord framing with both checksums verified, then each record
/// as an `Event` message.
public enum EventFile {
    /// - throws: `LocatedError` naming the file and the offset of a corrupt record.
    public static func read(_ url: URL) throws -> [TensorBoardEvent] {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
            throw LocatedError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        return try TFRecord.records(in: bytes, file: url).enumerated().map { index, record in
            do { return try TensorBoardEvent(decoding: record) } catch {
                throw LocatedError(file: url.path, "record \(index): \(error)")
            }
        }
    }

    /// The event files in `directory`, oldest first by name.
    public static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map { directory.appendingPathComponent($0) }
    }
}
