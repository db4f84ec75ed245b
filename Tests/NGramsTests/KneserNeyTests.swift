import Foundation
@testable import NGrams
import XCTest

/// The Kneser–Ney character model against NLTK 3.10's `KneserNeyInterpolated` on
/// `Tests/Fixtures/kneser-ney/` (`scripts/kneser_ney_reference.py`): every log₂ score, the
/// units of probability 0, and the entropy over the rest.
final class KneserNeyTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kneser-ney")

    private func lines(_ name: String) throws -> [String] {
        var lines = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the final newline
        return lines
    }

    /// 1e-9 relative: NLTK sums the same counts in float64 in another order; the scores are
    /// products of at most `order` ratios of small integers, so agreement is far tighter.
    func testEveryScoreMatchesNLTK() throws {
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))) as? [String: Any])
        let train = try lines("train.txt"), test = try lines("test.txt")
        let cases = try XCTUnwrap(expected["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 3)
        for item in cases {
            let order = try XCTUnwrap(item["order"] as? Int)
            let model = KneserNey(order: order, discount: try XCTUnwrap(expected["discount"] as? Double), sentences: train)
            let reference = try XCTUnwrap(item["logscores"] as? [[Any]])
            XCTAssertEqual(reference.count, test.count)
            for (sentence, row) in zip(test, reference) {
                let ours = model.logScores(sentence)
                XCTAssertEqual(ours.count, row.count, "order \(order): \(sentence)")
                for (value, target) in zip(ours, row) {
                    if let target = target as? Double {
                        let value = try XCTUnwrap(value, "order \(order): \(sentence): NLTK scores a unit we give probability 0")
                        XCTAssertEqual(value, target, accuracy: 1e-9 * max(abs(target), 1), "order \(order): \(sentence)")
                    } else {
                        XCTAssertNil(value, "order \(order): \(sentence): NLTK gives probability 0")
                    }
                }
            }
            let score = model.score(test)
            XCTAssertEqual(score.zeroProbability, item["zero_probability"] as? Int)
            XCTAssertEqual(score.units, item["units"] as? Int)
            let entropy = try XCTUnwrap(item["entropy_finite"] as? Double)
            XCTAssertEqual(score.bitsPerUnit, entropy, accuracy: 1e-9 * entropy, "order \(order)")
        }
    }
}
