import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import _TestSupport
@testable import Reports

/// The report over runs made of hand-written files: what it plots, labels and reports as
/// errors. Real runs are in `ReportCommandTests`.
final class RunReportTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var root: URL { temporary.url }

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "ttur-report") }

    private func makeRun(_ name: String, config: String?, log: [String], samples: [Int: String] = [:]) throws -> URL {
        let run = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: run.appendingPathComponent("samples"), withIntermediateDirectories: true)
        if let config { try Data(config.utf8).write(to: run.appendingPathComponent("config.json")) }
        try Data(log.map { $0 + "\n" }.joined().utf8).write(to: run.appendingPathComponent("log.jsonl"))
        for (iteration, text) in samples {
            try Data(text.utf8).write(to: run.appendingPathComponent(String(format: "samples/iter-%08d.txt", iteration)))
        }
        return run
    }

    private func languageLog(scale: Double) -> [String] {
        (0...4).map { step in
            let jsd = (1...6).map { n in "\"\(n)\": \(scale * Double(n) / 7 / Double(step + 1))" }.joined(separator: ", ")
            let losses = step == 0 ? "" : #""critic_loss": -\#(step), "gen_loss": 0.5, "wasserstein": 1.5, "gradient_penalty": 0.1, "#
            return #"{"iteration": \#(step * 100), \#(losses)"seconds": \#(Double(step) * 30), "jsd": {\#(jsd)}}"#
        }
    }

    func testReportOverlaysRunsWithPaperLabelsAndParses() throws {
        let ttur = try makeRun("a", config: #"{"schedule": "ttur", "criticLearningRate": 0.0003, "generatorLearningRate": 0.0001, "criticIterations": 1}"#,
                               log: languageLog(scale: 1), samples: [100: "stale-sample-line\n", 400: "the cat <sat>\non a mat\n"])
        let orig = try makeRun("b", config: #"{"schedule": "orig", "criticLearningRate": 0.0001, "generatorLearningRate": 0.0001, "criticIterations": 10}"#,
                               log: languageLog(scale: 0.8))
        let html = RunReport.html(try [ttur, orig].map(RunRecord.init(directory:)), generated: Date(timeIntervalSince1970: 0))
        let document = try XMLDocument(xmlString: html, options: [])
        XCTAssertEqual(document.rootElement()?.name, "html")
        // 6 JSD orders × (minutes, iterations) + 4 losses.
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 16)
        for text in ["TTUR 3e-4, 1e-4", "orig 1e-4", "JSD 6-gram", "training time (minutes)", "iteration", "critic loss",
                     "the cat &lt;sat&gt;", "iteration 400"] {
            XCTAssertTrue(html.contains(text), "missing \(text)")
        }
        XCTAssertFalse(html.contains("stale-sample-line"), "only the newest samples")
        XCTAssertFalse(html.contains("<script"), "self-contained, no scripts")
        XCTAssertFalse(html.contains("http://") && html.contains("src=\"http"), "nothing fetched")
    }

    func testFIDKeysAreFoundGenerically() throws {
        let image = try makeRun("image", config: nil, log: [
            #"{"iteration": 0, "seconds": 0, "fid": 310.5}"#,
            #"{"iteration": 500, "seconds": 120, "fid": 150.25, "d_loss": 0.7}"#,
        ])
        let html = RunReport.html([try RunRecord(directory: image)])
        XCTAssertTrue(html.contains("Fréchet Inception Distance"))
        XCTAssertTrue(html.contains("150.2500"), "the runs table shows the last FID")
        XCTAssertTrue(html.contains("d loss"))
        XCTAssertTrue(html.contains("image"), "without a config the directory names the run")
        XCTAssertFalse(html.contains("Jensen-Shannon"))
    }

    func testImageRunsShowTheirScheduleAndNewestGrid() throws {
        let run = try makeRun("dcgan", config: #"{"schedule": "ttur", "discriminatorLearningRate": 0.0001, "generatorLearningRate": 0.0005}"#,
                              log: [#"{"iteration": 0, "seconds": 0, "fid": {"classifier": 290.5}}"#,
                                    #"{"iteration": 100, "seconds": 60, "fid": {"classifier": 120.25}, "d_loss": 0.9}"#])
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: run.appendingPathComponent("samples/iter-00000000.png"))
        try png.write(to: run.appendingPathComponent("samples/iter-00000100.png"))
        let html = RunReport.html([try RunRecord(directory: run)])
        XCTAssertTrue(html.contains("TTUR 1e-4, 5e-4"), "the discriminator's rate labels an image run")
        XCTAssertTrue(html.contains("FID classifier"), "the feature network names the FID")
        XCTAssertTrue(html.contains("data:image/png;base64,\(png.base64EncodedString())"), "the newest grid, embedded")
        XCTAssertTrue(html.contains("iteration 100"))
    }

    func testKIDPrecisionAndRecallArePlottedTogether() throws {
        let run = try makeRun("scored", config: nil, log: [
            #"{"iteration": 0, "seconds": 0, "fid": {"inception": 290.5}, "kid": {"inception": 0.3}, "kid_std": {"inception": 0.01}, "precision": {"inception": 0.1}, "recall": {"inception": 0.05}}"#,
            #"{"iteration": 100, "seconds": 60, "fid": {"inception": 120.25}, "kid": {"inception": 0.1}, "kid_std": {"inception": 0.01}, "precision": {"inception": 0.4}, "recall": {"inception": 0.2}, "d_loss": 0.9}"#])
        let html = RunReport.html([try RunRecord(directory: run)])
        XCTAssertTrue(html.contains("KID, precision and recall"))
        for title in ["KID inception", "KID standard deviation inception", "precision inception", "recall inception"] {
            XCTAssertTrue(html.contains(title), title)
        }
        XCTAssertFalse(html.contains("kid/inception"), "not among the other logged values")
    }

    func testSameLabelsAreToldApart() throws {
        let config = #"{"schedule": "ttur", "criticLearningRate": 0.0003, "generatorLearningRate": 0.0001}"#
        let one = try makeRun("seed-1", config: config, log: languageLog(scale: 1))
        let two = try makeRun("seed-2", config: config, log: languageLog(scale: 1))
        let html = RunReport.html(try [one, two].map(RunRecord.init(directory:)))
        XCTAssertTrue(html.contains("TTUR 3e-4, 1e-4 · seed-1") && html.contains("TTUR 3e-4, 1e-4 · seed-2"))
    }

    func testMissingRunsAndBadLogsAreOneLineErrors() throws {
        let missing = root.appendingPathComponent("nope")
        XCTAssertThrowsError(try RunRecord(directory: missing)) { XCTAssertEqual("\($0)", "\(missing.path): no such run directory") }
        let empty = try makeRun("empty", config: nil, log: [])
        XCTAssertThrowsError(try RunRecord(directory: empty)) { XCTAssertTrue("\($0)".hasSuffix("no evaluations logged yet"), "\($0)") }
        let bad = try makeRun("bad", config: nil, log: [#"{"iteration": 0, "seconds": 0}"#, "{not json"])
        XCTAssertThrowsError(try RunRecord(directory: bad)) { XCTAssertTrue("\($0)".hasSuffix("log.jsonl:2: not a JSON object"), "\($0)") }
        let noLog = root.appendingPathComponent("nolog")
        try FileManager.default.createDirectory(at: noLog, withIntermediateDirectories: true)
        XCTAssertThrowsError(try RunRecord(directory: noLog)) { XCTAssertTrue("\($0)".contains("log.jsonl: missing"), "\($0)") }
        for error in [missing, empty, bad, noLog].compactMap({ url -> Error? in
            do { _ = try RunRecord(directory: url); return nil } catch { return error }
        }) {
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }
}
