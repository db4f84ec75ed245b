import Basics
import Foundation

/// One evaluation of a run: its iteration and every number of its log line, flattened to
/// tags (`jsd/4`, `critic_loss`, `seconds`, `fid`, …).
public struct LogPoint: Equatable, Sendable {
    public var iteration: Int
    public var values: [String: Double]

    public init(iteration: Int, values: [String: Double]) {
        self.iteration = iteration
        self.values = values
    }

    /// Training wall-clock seconds (evaluation excluded), when logged.
    public var seconds: Double? { values["seconds"] }

    /// The points of a run's `log.jsonl`, in order (blank lines skipped), read as plain JSON
    /// so any trainer's log (language or image) works.
    /// - throws: `LocatedError` for an unreadable log or a malformed line (with its number).
    public static func read(log: URL) throws -> [LogPoint] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else {
            throw LocatedError(file: log.path, "missing or unreadable")
        }
        var points: [LogPoint] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let (step, values) = try LogScalars.parse(Data(line.utf8), source: "\(log.path):\(index + 1)")
            points.append(LogPoint(iteration: step, values: values))
        }
        return points
    }
}

/// The numbers of one `log.jsonl` line, flattened to TensorBoard-style tags: nested objects
/// join their keys with "/" (`{"jsd": {"4": 0.31}}` → `jsd/4`), so new metrics (`fid`, …)
/// need no code here. `iteration` is the step, not a scalar.
public enum LogScalars {
    static let stepKey = "iteration"

    /// - throws: `LocatedError` when the line is not a JSON object or lacks an integer `iteration`.
    public static func parse(_ line: Data, source: String) throws -> (step: Int, scalars: [String: Double]) {
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
            throw LocatedError(file: source, "not a JSON object")
        }
        guard let step = (object[stepKey] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }) else {
            throw LocatedError(file: source, "no integer \"\(stepKey)\"")
        }
        var scalars: [String: Double] = [:]
        flatten(object.filter { $0.key != stepKey }, prefix: "", into: &scalars)
        return (step, scalars)
    }

    private static func flatten(_ object: [String: Any], prefix: String, into scalars: inout [String: Double]) {
        for (key, value) in object {
            let tag = prefix + key
            if let number = value as? NSNumber {
                scalars[tag] = number.doubleValue
            } else if let nested = value as? [String: Any] {
                flatten(nested, prefix: tag + "/", into: &scalars)
            }
        }
    }
}
