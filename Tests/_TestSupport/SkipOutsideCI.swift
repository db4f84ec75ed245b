import Foundation
import XCTest

/// Where a test cannot run on this machine (a missing tool, data set or fixture entry, or a
/// wait that ran out): a skip with `message` on a user's machine; under `CI=true` a failure
/// first, so CI can never pass by skipping.
///
/// ```swift
/// guard FileManager.default.fileExists(atPath: path) else { try skipOutsideCI("\(path) is missing") }
/// ```
///
/// - throws: `XCTSkip`, always.
public func skipOutsideCI(_ message: String, file: StaticString = #filePath, line: UInt = #line) throws -> Never {
    if isCI { XCTFail(message, file: file, line: line) }
    throw XCTSkip(message, file: file, line: line)
}

/// True under `CI=true`.
var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
