import Basics
import XCTest

/// Asserts that `body` throws a `LocatedError` rendered as one line holding every one of `parts`.
public func assertLocatedError(_ body: @autoclosure () throws -> Any, mentions parts: [String],
                               file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertTrue(error is LocatedError, "\(type(of: error))", file: file, line: line)
        let text = "\(error)"
        XCTAssertFalse(text.contains("\n"), "one line: \(text)", file: file, line: line)
        for part in parts { XCTAssertTrue(text.contains(part), "'\(part)' not in: \(text)", file: file, line: line) }
    }
}
