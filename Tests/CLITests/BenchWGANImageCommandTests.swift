import Foundation
import XCTest
import _TestSupport

/// `bench image-step --model wgan-gp` as a process: a tiny iteration prints one JSON result;
/// a size the models do not have is refused.
final class BenchWGANImageCommandTests: XCTestCase {
    func testTinyWGANGPIterationPrintsOneJSONResult() throws {
        let result = try TTURTextExecutable.run(["bench", "image-step", "--model", "wgan-gp", "--size", "32", "--channels", "1",
                                                 "--dim", "1", "--batch", "2", "--iters", "1", "--threads", "1", "--json"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["model"] as? String, "wgan-gp")
        XCTAssertEqual(object["dim"] as? Int, 1)
        XCTAssertGreaterThan(try XCTUnwrap(object["median_s"] as? Double), 0)
    }

    func testSizeOtherThan32Or64IsRefused() throws {
        let result = try TTURTextExecutable.run(["bench", "image-step", "--model", "wgan-gp", "--size", "16"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("--size 32 or 64"), result.standardError)
    }
}
