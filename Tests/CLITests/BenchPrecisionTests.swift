import Foundation
import Tensors
import XCTest
import _TestSupport

/// `--precision` on the step benches, end to end: the forced fp32-only path
/// (TTUR_DISABLE_BF16=1) reports fp32 for auto and refuses bf16 with one line; where bf16 is
/// available it runs and names oneDNN's implementation.
final class BenchPrecisionTests: XCTestCase {
    private let tiny = ["bench", "train-step", "--dim", "16", "--seq", "8", "--vocab", "12", "--batch", "4",
                        "--iters", "1", "--no-peak", "--json"]

    private func json(_ result: CommandResult) throws -> [String: Any] {
        let line = try XCTUnwrap(result.standardOutput.split(separator: "\n").last, result.standardError)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testForcedFP32PathRunsAutoAsFP32AndRefusesBF16WithOneLine() throws {
        let disabled = ["TTUR_DISABLE_BF16": "1"]
        let auto = try TTURTextExecutable.run(tiny + ["--precision", "auto"], environment: disabled)
        XCTAssertEqual(auto.status, 0, auto.standardError)
        XCTAssertEqual(try json(auto)["precision"] as? String, "fp32")

        let bf16 = try TTURTextExecutable.run(tiny + ["--precision", "bf16"], environment: disabled)
        XCTAssertNotEqual(bf16.status, 0)
        let message = bf16.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(message.contains("\n"), "one line: \(message)")
        XCTAssertTrue(message.contains("bf16 is unavailable on this machine: TTUR_DISABLE_BF16=1 is set"), message)
    }

    /// Where oneDNN has a bf16 kernel, a bf16 bench runs and names it; on a CPU without bf16
    /// units (the product has no software bf16), `--precision bf16` is one line saying why.
    func testBF16RunsAndNamesTheImplementation() throws {
        let arguments = ["bench", "image-step", "--size", "8", "--width", "8", "--batch", "4",
                         "--iters", "1", "--no-peak", "--json", "--precision", "bf16"]
        if BF16.cpuLacksBF16Units, !Engine.bf16Available {
            let refused = try TTURTextExecutable.run(arguments)
            XCTAssertNotEqual(refused.status, 0)
            let message = refused.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)")
            XCTAssertTrue(message.contains("bf16 is unavailable on this machine: this CPU has neither AVX512-BF16 nor AMX-BF16"), message)
            return
        }
        try BF16.requireAvailable()
        let result = try TTURTextExecutable.run(arguments)
        XCTAssertEqual(result.status, 0, result.standardError)
        let object = try json(result)
        XCTAssertEqual(object["precision"] as? String, "bf16")
        let implementations = try XCTUnwrap(object["bf16_implementations_in_use"] as? String)
        XCTAssertFalse(implementations.isEmpty)
        XCTAssertFalse(implementations.contains("ref:"), implementations)
    }
}
