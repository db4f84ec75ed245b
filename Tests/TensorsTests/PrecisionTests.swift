import Tensors
import XCTest
import _TestSupport

/// The precision setting: detection, the forced fp32-only path, and errors.
final class PrecisionTests: XCTestCase {
    func testForcingFP32ReportsBF16UnavailableAndRequestingItThrows() {
        let forced = BF16Support.detect(environment: [BF16Support.disableVariable: "1"])
        XCTAssertFalse(forced.isAvailable)
        XCTAssertNil(forced.implementation)
        XCTAssertTrue(forced.reason.contains(BF16Support.disableVariable), forced.reason)
        XCTAssertEqual(try PrecisionRequest.auto.resolved(with: forced), .fp32)
        XCTAssertEqual(try PrecisionRequest.fp32.resolved(with: forced), .fp32)
        XCTAssertThrowsError(try PrecisionRequest.bf16.resolved(with: forced)) { error in
            let message = "\(error)"
            XCTAssertTrue(error is PrecisionUnavailable)
            XCTAssertTrue(message.hasPrefix("bf16 is unavailable on this machine: TTUR_DISABLE_BF16=1 is set"), message)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)")
        }
        // "0" and "" do not disable.
        XCTAssertEqual(BF16Support.detect(environment: [BF16Support.disableVariable: "0"]).isAvailable,
                       BF16Support.detect(environment: [:]).isAvailable)
    }

    func testThisMachineReportsItsBF16Implementation() throws {
        try BF16.requireAvailable()
        let name = try XCTUnwrap(Engine.bf16Implementation)
        XCTAssertFalse(name.hasPrefix("ref"), name)
        XCTAssertTrue(name.contains("bf16"), name)
        // auto is bf16 exactly where oneDNN runs it on AMX (faster than fp32 there).
        XCTAssertEqual(try PrecisionRequest.auto.resolved(), name.contains("amx") ? .bf16 : .fp32)
        XCTAssertEqual(try PrecisionRequest.bf16.resolved(), .bf16)
    }

    func testUnavailableBF16IsAThrownErrorNotACrash() throws {
        // Where this process has bf16 the request succeeds and the scope restores fp32;
        // where it has not (TTUR_DISABLE_BF16 in the environment) it throws.
        if Engine.bf16Available {
            XCTAssertEqual(try Engine.withPrecision(.bf16) { Engine.precision }, .bf16)
        } else {
            XCTAssertThrowsError(try Engine.setPrecision(.bf16)) { XCTAssertTrue($0 is PrecisionUnavailable) }
        }
        XCTAssertEqual(Engine.precision, .fp32)
    }
}
