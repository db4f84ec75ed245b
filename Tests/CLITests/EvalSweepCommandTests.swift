import Foundation
import XCTest
import _TestSupport

/// `eval sweep`: temperature 0 samples exactly `sample`'s argmax sentences, every point's
/// scores are `eval text`'s for that temperature's samples, and the figure is written.
final class EvalSweepCommandTests: XCTestCase {
    func testTheSweepsPointsAreEvalTextsScoresOfItsSamples() throws {
        let corpus = try TemporaryCorpus()
        let data = try WordCorpus.prepare(in: corpus)
        let run = corpus.root.appendingPathComponent("run")
        let trained = try TTURTextExecutable.run(["train", "--data", data.path, "--run", run.path, "--dim", "8", "--batch", "4",
                                                  "--noise", "6", "--eval-every", "2", "--checkpoint-every", "2", "--ngram", "4",
                                                  "--threads", "1", "--seed", "5", "--iterations", "4"])
        XCTAssertEqual(trained.status, 0, trained.standardError)
        let references = corpus.root.appendingPathComponent("references.txt")
        try Data("the cat sat on a mat\na dog ran far\nthe mat and the dog\n".utf8).write(to: references)
        let sweep = try TTURTextExecutable.run(["eval", "sweep", "--run", run.path, "-n", "12", "--temperatures", "0", "1",
                                                "--references", references.path, "--seed", "3"])
        XCTAssertEqual(sweep.status, 0, sweep.standardError)
        let directory = run.appendingPathComponent("sweep")
        XCTAssertTrue(sweep.standardOutput.contains("written: \(directory.appendingPathComponent("sweep.html").path)"), sweep.standardOutput)
        let html = try String(contentsOf: directory.appendingPathComponent("sweep.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<svg") && html.contains("T=0") && html.contains("T=1"), "the figure labels each temperature")

        // Temperature 0 is sample's argmax output from the same seed.
        let sampled = try TTURTextExecutable.run(["sample", "--run", run.path, "-n", "12", "--seed", "3"])
        XCTAssertEqual(sampled.status, 0, sampled.standardError)
        XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent("samples-0.txt"), encoding: .utf8), sampled.standardOutput)

        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("sweep.json"))) as? [String: Any])
        let runs = try XCTUnwrap(object["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 1)
        let points = try XCTUnwrap(runs[0]["points"] as? [[String: Any]])
        XCTAssertEqual(points.compactMap { $0["temperature"] as? Double }, [0, 1])
        for point in points {
            let samples = directory.appendingPathComponent(String(format: "samples-%g.txt", try XCTUnwrap(point["temperature"] as? Double)))
            let text = try TTURTextExecutable.run(["eval", "text", "--data", data.path, "--samples", samples.path,
                                                   "--references", references.path, "--json"])
            XCTAssertEqual(text.status, 0, text.standardError)
            let scores = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.standardOutput.utf8)) as? [String: Any])
            for key in ["bleu4", "self_bleu4", "msjaccard4", "lm_bits_per_char", "reverse_lm_bits_per_char"] {
                XCTAssertEqual(point[key] as? Double, scores[key] as? Double, "T=\(point["temperature"]!): \(key)")
            }
        }
    }

    /// `eval sweep --experiment`: every run swept with one set of references, one curve per
    /// schedule whose points are the means of its seeds' points (min–max beside them).
    func testAnExperimentGivesOneMeanCurvePerSchedule() throws {
        let corpus = try TemporaryCorpus()
        let data = try WordCorpus.prepare(in: corpus)
        let experiment = corpus.root.appendingPathComponent("experiment")
        let ran = try TTURTextExecutable.run(["experiment", "language", "--schedules", "ttur,orig", "--seeds", "2", "--iterations", "2",
                                              "--jobs", "2", "--threads", "2", "--out", experiment.path, "--data", data.path, "--dim", "8",
                                              "--batch", "4", "--noise", "6", "--eval-every", "2", "--checkpoint-every", "2", "--ngram", "4"])
        XCTAssertEqual(ran.status, 0, ran.standardError)
        let references = corpus.root.appendingPathComponent("references.txt")
        try Data("the cat sat on a mat\na dog ran far\nthe mat and the dog\n".utf8).write(to: references)
        let sweep = try TTURTextExecutable.run(["eval", "sweep", "--experiment", experiment.path, "-n", "8", "--temperatures", "0", "1",
                                                "--references", references.path])
        XCTAssertEqual(sweep.status, 0, sweep.standardError)
        let directory = experiment.appendingPathComponent("sweep")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("sweep.json"))) as? [String: Any])
        let runs = try XCTUnwrap(object["runs"] as? [[String: Any]]), curves = try XCTUnwrap(object["curves"] as? [[String: Any]])
        XCTAssertEqual(Set(runs.compactMap { $0["label"] as? String }), ["ttur-seed0", "ttur-seed1", "orig-seed0", "orig-seed1"])
        XCTAssertEqual(curves.compactMap { $0["label"] as? String }.sorted(), ["orig (mean of 2)", "ttur (mean of 2)"])
        for curve in curves {
            let group = try XCTUnwrap((curve["label"] as? String)?.split(separator: " ").first).description
            let members = runs.filter { $0["group"] as? String == group }.compactMap { $0["points"] as? [[String: Any]] }
            XCTAssertEqual(members.count, 2)
            for (index, point) in try XCTUnwrap(curve["points"] as? [[String: Any]]).enumerated() {
                let qualities = members.compactMap { $0[index]["bleu4"] as? Double }
                XCTAssertEqual(try XCTUnwrap(point["bleu4"] as? Double), qualities.reduce(0, +) / Double(qualities.count), accuracy: 1e-12)
                XCTAssertEqual(point["bleu4_min"] as? Double, qualities.min())
                XCTAssertEqual(point["bleu4_max"] as? Double, qualities.max())
            }
        }
        // Each run's argmax samples are its own `sample` output.
        let sampled = try TTURTextExecutable.run(["sample", "--run", experiment.appendingPathComponent("ttur-seed1").path, "-n", "8"])
        XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent("ttur-seed1/samples-0.txt"), encoding: .utf8), sampled.standardOutput)
        let html = try String(contentsOf: directory.appendingPathComponent("sweep.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("ttur (mean of 2)") && html.contains("orig (mean of 2)"))
    }
}
