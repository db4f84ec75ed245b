import Foundation
import XCTest
import _TestSupport

/// `eval jsd --floors`: the real-data floor and the two trivial ceilings are exactly what
/// `eval jsd` gives for those sentences written to a file, at the samples' count.
final class EvalJSDFloorsTests: XCTestCase {
    private var corpus: TemporaryCorpus!
    private var data: URL!

    override func setUpWithError() throws {
        corpus = try TemporaryCorpus()
        data = try WordCorpus.prepare(in: corpus)
    }

    private func scores(_ arguments: [String]) throws -> [String: Any] {
        let result = try TTURTextExecutable.run(["eval", "jsd", "--data", data.path, "--ngram", "4", "--json"] + arguments)
        XCTAssertEqual(result.status, 0, result.standardError)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    private func file(_ name: String, _ lines: [String]) throws -> URL {
        let url = corpus.root.appendingPathComponent(name)
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: url)
        return url
    }

    func testFloorsAreTheScoresOfThoseSentences() throws {
        let samples = try file("samples.txt", ["the cat sat", "a dog ran", "on the mat", "far far far", "the", "cat and dog"])
        let real = try file("real.txt", ["the dog sat on a mat", "a cat ran far", "the mat", "and the cat sat", "dog", "a mat and a cat"])
        let all = try scores(["--samples", samples.path, "--floors", "--real", real.path])
        let floors = try XCTUnwrap(all["floors"] as? [String: Any])
        XCTAssertEqual(floors["real_count"] as? Int, 6)
        XCTAssertEqual(floors["real_origin"] as? String, real.path)
        let sentence = try XCTUnwrap(floors["commonest_sentence"] as? String)

        func numbers(_ object: Any?) throws -> [String: Double] { try XCTUnwrap(object as? [String: Double]) }
        let plain = try scores(["--samples", samples.path]).filter { $0.key != "floors" }
        XCTAssertEqual(try numbers(plain), try numbers(all.filter { $0.key != "floors" }))
        // Six real sentences for six samples: all of them, so the same multiset as the file.
        XCTAssertEqual(try numbers(floors["real"]), try numbers(try scores(["--samples", real.path])))
        let empty = try file("empty.txt", Array(repeating: "", count: 6))
        XCTAssertEqual(try numbers(floors["empty"]), try numbers(try scores(["--samples", empty.path])))
        let copies = try file("copies.txt", Array(repeating: sentence, count: 6))
        XCTAssertEqual(try numbers(floors["commonest"]), try numbers(try scores(["--samples", copies.path])))

        // The commonest sentence is a training sentence that occurs at least as often as any other.
        let text = try TTURTextExecutable.run(["eval", "jsd", "--data", data.path, "--ngram", "4", "--samples", samples.path, "--floors"])
        XCTAssertEqual(text.status, 0, text.standardError)
        XCTAssertTrue(text.standardOutput.contains("n\tJSD\treal\tempty\tcommonest"), text.standardOutput)
        XCTAssertTrue(text.standardOutput.contains("real: 6 sentences from the last sentences of the prepared dataset (not held out"),
                      text.standardOutput)

        let refused = try TTURTextExecutable.run(["eval", "jsd", "--data", data.path, "--samples", samples.path, "--real", real.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains("--real needs --floors"), refused.standardError)
    }
}
