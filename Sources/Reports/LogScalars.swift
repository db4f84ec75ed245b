import Basics
import Foundation

/// The numbers of one `log.jsonl` line, flattened to TensorBoard-style tags: nested objects
/// join their keys with "/" (`{"jsd": {"4": 0.31}}` → `jsd/4`), so new metrics (`fid`, …)
/// need no code here. `iteration` is the step, not a scalar.
enum LogScalars {
    static let stepKey = "iteration"

    /// - throws: `LocatedError` when the line is not a JSON object or lacks an integer `iteration`.
    static func parse(_ line: Data, source: String) throws -> (step: Int, scalars: [String: Double]) {
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
