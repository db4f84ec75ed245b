import XCTest
import _TestSupport

final class HelpTests: XCTestCase {
    func testRootHelpListsEverySubcommand() throws {
        let result = try TTURTextExecutable.run(["--help"])
        XCTAssertEqual(result.status, 0)
        for name in ["prepare", "train", "sample", "eval", "fid", "image", "report", "bench"] {
            XCTAssertTrue(result.standardOutput.contains("  \(name)"), "--help misses \(name)")
        }
    }

    func testUnknownFlagIsAClearErrorWithNonZeroExit() throws {
        let result = try TTURTextExecutable.run(["train", "--iterations", "1", "--no-such-flag"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("--no-such-flag"), result.standardError)
    }
}
