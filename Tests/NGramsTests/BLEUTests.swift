import Basics
import Foundation
@testable import NGrams
import XCTest
import _TestSupport

/// BLEU and self-BLEU against NLTK 3.10's `corpus_bleu` (smoothing method 1, uniform weights)
/// on `Tests/Fixtures/bleu/` (`scripts/bleu_reference.py`).
final class BLEUTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bleu")

    private func sentences(_ name: String) throws -> [[String]] {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map { BLEU.words(String($0)) }
    }

    /// Every BLEU-n and self-BLEU-n of both cases to 1e-12 relative.
    func testMatchesNLTKCorpusBLEU() throws {
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))) as? [String: Any])
        var largest = 0.0
        defer { print("BLEU and self-BLEU: largest relative difference from NLTK \(largest) (tolerance 1e-12)") }
        for name in ["main", "long"] {
            let reference = try XCTUnwrap(expected[name] as? [String: Double])
            let samples = try sentences("\(name)-samples.txt"), references = try sentences("\(name)-references.txt")
            let bleu = try BLEU.corpus(hypotheses: samples, references: references)
            let selfBLEU = try BLEU.selfBLEU(samples)
            for n in 2...5 {
                for (key, value) in [("bleu\(n)", bleu[n]!), ("self_bleu\(n)", selfBLEU[n]!)] {
                    let target = try XCTUnwrap(reference[key], key)
                    largest = max(largest, abs(value - target) / abs(target))
                    XCTAssertLessThanOrEqual(abs(value - target), 1e-12 * abs(target), "\(name) \(key): \(value) against \(target)")
                }
            }
        }
    }

    func testSelfBLEULeavesEachSentenceOutOfItsReferences() throws {
        // Two different sentences share nothing: with itself among its references each would score 1.
        let scores = try BLEU.selfBLEU([["a", "b", "c"], ["d", "e", "f"]])
        XCTAssertEqual(scores[2], 0)
        // Two identical sentences are each other's perfect reference.
        XCTAssertEqual(try BLEU.selfBLEU([["a", "b", "c"], ["a", "b", "c"]])[3]!, 1, accuracy: 1e-15)
    }

    func testEmptyInputIsAOneLineError() {
        assertLocatedError(try BLEU.corpus(hypotheses: [], references: [["a"]]), mentions: ["BLEU: no samples"])
        assertLocatedError(try BLEU.corpus(hypotheses: [["a"]], references: []), mentions: ["BLEU: no references"])
        assertLocatedError(try BLEU.selfBLEU([["a"]]), mentions: ["self-BLEU: 1 sample;"])
    }

    func testWordsAreWhitespaceTokens() {
        XCTAssertEqual(BLEU.words(" the  U.S. 's\tmarket .\r"), ["the", "U.S.", "'s", "market", "."])
    }
}
