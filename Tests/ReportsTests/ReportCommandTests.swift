import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Tensors
import XCTest
import _TestSupport
@testable import Reports
import TrainingRuns

/// `ttur-text train` twice (TTUR and orig, a tiny model) and `ttur-text report` over both,
/// as real processes: the event files the trainer wrote, the report, and the report opened
/// in headless Chromium where it is installed.
final class ReportCommandTests: XCTestCase {
    /// Trained once for the whole class: two real runs in a throw-away directory.
    private static var fixture: (corpus: TemporaryCorpus, runs: [URL])?

    override class func tearDown() { fixture = nil }

    private var runs: [URL] { get throws { try Self.trainedRuns().runs } }

    private static func trainedRuns() throws -> (corpus: TemporaryCorpus, runs: [URL]) {
        if let fixture { return fixture }
        let corpus = try TemporaryCorpus()
        let words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far"]
        var random = RandomSource(seed: 3)
        _ = try corpus.addShard(1, lines: (0..<200).map { _ in
            (0..<(2 + random.nextInt(below: 4))).map { _ in words[random.nextInt(below: words.count)] }.joined(separator: " ")
        })
        let data = corpus.root.appendingPathComponent("data")
        let prepared = try TTURTextExecutable.run(["prepare", "corpus", corpus.corpusDirectory.path, "--out", data.path,
                                                   "--seq-len", "8", "--ngram", "4", "--vocab-dir", ""])
        guard prepared.status == 0 else { throw LocatedError("prepare failed: \(prepared.standardError)") }
        var runs: [URL] = []
        for schedule in ["ttur", "orig"] {
            let run = corpus.root.appendingPathComponent("run-\(schedule)")
            let result = try TTURTextExecutable.run([
                "train", "--data", data.path, "--run", run.path, "--schedule", schedule, "--dim", "8", "--batch", "4",
                "--noise", "6", "--eval-every", "2", "--iterations", "4", "--ngram", "4", "--threads", "1",
            ])
            guard result.status == 0 else { throw LocatedError("train failed: \(result.standardError)") }
            runs.append(run)
        }
        fixture = (corpus, runs)
        return (corpus, runs)
    }

    func testTrainingWritesEventFilesHoldingEveryLoggedNumber() throws {
        let runs = try self.runs
        for run in runs {
            let files = EventFile.files(in: run)
            XCTAssertEqual(files.count, 1, "one event file per training process")
            let events = try EventFile.read(try XCTUnwrap(files.first))
            XCTAssertEqual(events.first?.content, .fileVersion("brain.Event:2"))
            let log = try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n")
            let scalarEvents = events.dropFirst()
            XCTAssertEqual(scalarEvents.map(\.step), [0, 2, 4])
            for (line, event) in zip(log, scalarEvents) {
                let (step, values) = try LogScalars.parse(Data(line.utf8), source: "log")
                XCTAssertEqual(event.step, Int64(step))
                guard case .scalars(let scalars) = event.content else { return XCTFail("not scalars") }
                XCTAssertEqual(Dictionary(uniqueKeysWithValues: scalars.map { ($0.tag, $0.value) }), values.mapValues { Float($0) })
            }
            guard case .scalars(let last) = scalarEvents.last?.content else { return XCTFail("no scalars") }
            XCTAssertEqual(Set(last.map(\.tag)), ["critic_loss", "gen_loss", "wasserstein", "gradient_penalty", "seconds",
                                                  "jsd/1", "jsd/2", "jsd/3", "jsd/4",
                                                  "jsd_nonpadding/1", "jsd_nonpadding/2", "jsd_nonpadding/3", "jsd_nonpadding/4",
                                                  "distinct_samples", "distinct_characters",
                                                  "selection/score", "selection/best_iteration", "selection/best_score"])
        }
        try TensorBoardPython.require()
        let shown = try XCTUnwrap(TensorBoardPython.run(["scalars", runs[0].path]) as? [String: [[Double]]])
        XCTAssertEqual(shown["jsd/4"]?.map { $0[0] }, [0, 2, 4], "tensorboard --logdir shows the JSD curve")
    }

    func testReportOverTwoRealRunsIsWrittenAndParses() throws {
        let (corpus, runs) = try Self.trainedRuns()
        let out = corpus.root.appendingPathComponent("report.html")
        let result = try TTURTextExecutable.run(["report"] + runs.map(\.path) + ["--out", out.path])
        XCTAssertEqual(result.status, 0, result.standardError)
        let html = try String(contentsOf: out, encoding: .utf8)
        let document = try XMLDocument(xmlString: html, options: [])
        let svgs = try document.nodes(forXPath: "//*[local-name()='svg']")
        XCTAssertEqual(svgs.count, 2 * 5 + 4 + 2,
                       "JSD 1–4 and the selection's JSD-4 of n-grams not all padding against minutes and iterations, four losses, two distinct shares")
        XCTAssertTrue(html.contains("TTUR 3e-4, 1e-4") && html.contains("orig 1e-4"))
        XCTAssertTrue(html.contains("Latest samples"))
        for run in runs {  // each run's best evaluation is marked on its score charts and named in the runs table
            let best = try XCTUnwrap(RunRecord(directory: run).best, "\(run.path) has a best evaluation")
            XCTAssertTrue(html.contains("best iteration") && html.contains("\"number\">\(best.iteration)</td>"), "best iteration \(best.iteration) in the runs table")
        }
        XCTAssertEqual(html.components(separatedBy: ">best</text>").count - 1, 2 * 2 * 5,
                       "a best marker per run on each JSD chart, against minutes and against iterations")

        let profile = corpus.root.appendingPathComponent("chromium")
        try Chromium.open(out, svgCount: svgs.count, profile: profile)
        try Chromium.screenshot(out, to: corpus.root.appendingPathComponent("report.png"), profile: profile)
    }

    func testMissingRunIsAOneLineError() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-\(UUID().uuidString).html")
        let result = try TTURTextExecutable.run(["report", "/nonexistent/run", "--out", out.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("/nonexistent/run: no such run directory"), result.standardError)
        let none = try TTURTextExecutable.run(["report"])
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.standardError.contains("at least one run"), none.standardError)
    }

    func testToyCommandPrintsOutcomes() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-toy-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try TTURTextExecutable.run(["report", "toy", "--out", out.path, "--steps", "300", "--seeds", "2"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(result.standardOutput.split(separator: "\n").filter { $0.contains("Paper:") }.count, 4)
        let html = try String(contentsOf: out, encoding: .utf8)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        try Chromium.open(out, svgCount: html.components(separatedBy: "<svg").count - 1, profile: profile)
    }
}
