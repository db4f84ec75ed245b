import Foundation
import XCTest
import _TestSupport

/// `bench jsd --synthetic-sentences N` end to end at a small N: it builds the corpus and its
/// store once, reports the store, the opening, the `eval jsd` child and both evaluation
/// timings, and a second run reuses what the first prepared.
final class BenchJSDCommandTests: XCTestCase {
    func testSyntheticBenchPreparesOnceAndReportsBothEvaluations() throws {
        let sample = try SharedData.require("corpora/billion-word-sample")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-jsd-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let arguments = ["bench", "jsd", "--synthetic-sentences", "1500", "--samples", "64", "--repeats", "3",
                         "--work", work.path, "--sample", sample.path]

        let first = try TTURTextExecutable.run(arguments)
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertTrue(first.standardOutput.contains("synthetic corpus of 1500 sentences"), first.standardOutput)
        let summary = try XCTUnwrap(first.standardOutput.split(separator: "\n").first { $0.hasPrefix("1500 sentences, ") },
                                    first.standardOutput)
        for part in ["store ", "open ", "tables ", "`eval jsd` process", "one evaluation of 64 sentences",
                     "the same sentences each time", "new sentences each time"] {
            XCTAssertTrue(summary.contains(part), "\(part) in: \(summary)")
        }

        let second = try TTURTextExecutable.run(arguments)
        XCTAssertEqual(second.status, 0, second.standardError)
        XCTAssertTrue(second.standardOutput.contains("reusing the prepared corpus and store"), second.standardOutput)
        XCTAssertFalse(second.standardOutput.contains("synthetic corpus of"), second.standardOutput)
        XCTAssertTrue(second.standardOutput.contains("1500 sentences, "), second.standardOutput)
    }
}
