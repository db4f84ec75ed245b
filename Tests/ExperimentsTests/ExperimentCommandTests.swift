import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import _TestSupport
@testable import Reports

/// `ttur-text experiment` end to end on the tiny model of the training tests, as real
/// processes: killed with SIGKILL mid-way (no child survives), re-run to completion, skipped
/// when finished, reported (band and table checked against the runs' logs); a changed
/// configuration and a second runner are one-line errors; SIGTERM is forwarded.
final class ExperimentCommandTests: XCTestCase {
    private var corpus: TemporaryCorpus!
    private var data: URL!

    override func setUpWithError() throws {
        corpus = try TemporaryCorpus()
        data = try WordCorpus.prepare(in: corpus)
    }

    private func arguments(_ out: URL, iterations: Int, seeds: Int = 2, schedules: String = "ttur,orig",
                           jobs: Int = 2, extra: [String] = []) -> [String] {
        ["experiment", "language", "--schedules", schedules, "--seeds", String(seeds), "--iterations", String(iterations),
         "--jobs", String(jobs), "--threads", "2", "--out", out.path, "--summary-every", "1",
         "--data", data.path, "--dim", "8", "--batch", "4", "--noise", "6", "--eval-every", "5",
         "--checkpoint-every", "5", "--ngram", "4"] + extra
    }

    /// A runner in the background, its standard output going to a file.
    private func startRunner(_ arguments: [String], output: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = TTURTextExecutable.url
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `condition` holds (at most `seconds`); past that a skip on a loaded
    /// machine, a failure under CI (a hang must not pass as a skip there).
    private func wait(_ seconds: Double, _ what: String, until condition: () -> Bool,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { try skipOutsideCI("timed out waiting for \(what)", file: file, line: line) }
            usleep(50_000)
        }
    }

    /// The pids of the children the runner reported starting.
    private func childPids(_ output: URL) -> [pid_t] {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("start "), let range = line.range(of: "(pid ") else { return nil }
            return pid_t(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// Alive: not gone and not a zombie awaiting its reaper.
    private func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    private struct LoggedPoint { let iteration: Int; let minutes: Double; let jsd4: Double }

    private func log(_ run: URL) throws -> [LoggedPoint] {
        try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let jsd = try XCTUnwrap(object["jsd"] as? [String: Double])
            return LoggedPoint(iteration: try XCTUnwrap(object["iteration"] as? Int),
                               minutes: try XCTUnwrap(object["seconds"] as? Double) / 60, jsd4: try XCTUnwrap(jsd["4"]))
        }
    }

    func testKilledExperimentLeavesNoChildResumesToCompletionAndReports() throws {
        let out = corpus.root.appendingPathComponent("experiment")
        let iterations = 40
        let command = arguments(out, iterations: iterations)
        let output = corpus.root.appendingPathComponent("runner.out")
        let runner = try startRunner(command, output: output)
        let first = out.appendingPathComponent("ttur-seed0/log.jsonl")
        try wait(120, "two runs training past a checkpoint") {
            childPids(output).count >= 2 && ((try? String(contentsOf: first, encoding: .utf8))?.split(separator: "\n").count ?? 0) >= 3
        }
        let children = childPids(output)
        kill(runner.processIdentifier, SIGKILL)
        runner.waitUntilExit()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, children.contains(where: isAlive) { usleep(50_000) }
        XCTAssertEqual(children.filter(isAlive), [], "children outlived their runner")

        let runs = ["ttur-seed0", "orig-seed0", "ttur-seed1", "orig-seed1"].map { out.appendingPathComponent($0) }
        // They were killed, not finished: the two that were training stopped short of the budget.
        for run in runs.prefix(2) {
            let checkpoints = (try? FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)) ?? []
            XCTAssertFalse(checkpoints.contains(String(format: "iter-%08d.safetensors", iterations)), "\(run.path) finished")
        }
        let again = try TTURTextExecutable.run(command)
        XCTAssertEqual(again.status, 0, again.standardError + again.standardOutput)
        XCTAssertTrue(again.standardOutput.contains("resuming from iteration"), again.standardOutput)
        for run in runs {
            let logged = try log(run)
            XCTAssertEqual(logged.last?.iteration, iterations, run.path)
            XCTAssertEqual(logged.map(\.iteration), Array(stride(from: 0, through: iterations, by: 5)), run.path)
        }
        let skipped = try TTURTextExecutable.run(command)
        XCTAssertEqual(skipped.status, 0, skipped.standardError)
        XCTAssertEqual(skipped.standardOutput.split(separator: "\n").filter { $0.hasPrefix("skip ") }.count, 4, skipped.standardOutput)
        XCTAssertFalse(skipped.standardOutput.contains("start "), skipped.standardOutput)

        // The band holds every seed's curve at every grid point, and its mean is theirs.
        let records = try runs.map { try RunRecord(directory: $0) }
        for (schedule, indices) in [("ttur", [0, 2]), ("orig", [1, 3])] {
            let group = ExperimentReport.Schedule(name: schedule, runs: indices.map { ExperimentReport.SeedRun(seed: $0 / 2, record: records[$0]) })
            for x in [RunRecord.XQuantity.minutes, .iterations] {
                let band = try XCTUnwrap(ExperimentReport.band(group, metric: "jsd/4", x: x))
                let curves = try indices.map { index in
                    try log(runs[index]).map { (x: x == .minutes ? $0.minutes : Double($0.iteration), y: $0.jsd4) }
                }
                XCTAssertEqual(band.x.first!, curves.map { $0.first!.x }.max()!, accuracy: 1e-9)
                XCTAssertEqual(band.x.last!, curves.map { $0.last!.x }.min()!, accuracy: 1e-9)
                for (point, gridX) in band.x.enumerated() {
                    let values = curves.map { curve -> Double in
                        let after = curve.firstIndex { $0.x > gridX } ?? curve.count - 1
                        let (a, b) = (curve[max(after - 1, 0)], curve[after])
                        return b.x == a.x ? b.y : a.y + (b.y - a.y) * (gridX - a.x) / (b.x - a.x)
                    }
                    for value in values {
                        XCTAssertGreaterThanOrEqual(value, band.low[point] - 1e-9, "\(schedule) \(x) at \(gridX)")
                        XCTAssertLessThanOrEqual(value, band.high[point] + 1e-9, "\(schedule) \(x) at \(gridX)")
                    }
                    XCTAssertEqual(band.mean[point], values.reduce(0, +) / 2, accuracy: 1e-9)
                }
            }
        }

        // The results table equals the best of each seed's log, computed here.
        let json = try TTURTextExecutable.run(["report", out.path, "--json"])
        XCTAssertEqual(json.status, 0, json.standardError)
        let table = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]])
        XCTAssertEqual(table.map { $0["schedule"] as? String }, ["ttur", "orig"])
        for (row, indices) in zip(table, [[0, 2], [1, 3]]) {
            let metrics = try XCTUnwrap(row["metrics"] as? [[String: Any]])
            let jsd4 = try XCTUnwrap(metrics.first { $0["metric"] as? String == "jsd/4" })
            let bests = try indices.map { index -> LoggedPoint in
                let logged = try log(runs[index])
                return logged.first { $0.jsd4 == logged.map(\.jsd4).min()! }!
            }
            let best = try XCTUnwrap(jsd4["best"] as? [String: Double])
            XCTAssertEqual(best["mean"]!, bests.map(\.jsd4).reduce(0, +) / 2, accuracy: 1e-12)
            XCTAssertEqual(best["min"]!, bests.map(\.jsd4).min()!, accuracy: 1e-12)
            XCTAssertEqual(best["max"]!, bests.map(\.jsd4).max()!, accuracy: 1e-12)
            let atBest = try XCTUnwrap(jsd4["iterations"] as? [String: Double])
            XCTAssertEqual(atBest["mean"]!, Double(bests.map(\.iteration).reduce(0, +)) / 2, accuracy: 1e-12)
            let minutes = try XCTUnwrap(jsd4["minutes"] as? [String: Double])
            XCTAssertEqual(minutes["min"]!, bests.map(\.minutes).min()!, accuracy: 1e-12)
            XCTAssertEqual(minutes["max"]!, bests.map(\.minutes).max()!, accuracy: 1e-12)
            XCTAssertEqual(row["seeds"] as? Int, 2)
        }
        XCTAssertEqual(table[0]["criticSteps"] as? Int, 1)
        XCTAssertEqual(table[1]["criticSteps"] as? Int, 10)

        // The page: well-formed, and opened by headless Chromium without console errors.
        let page = corpus.root.appendingPathComponent("experiment.html")
        let report = try TTURTextExecutable.run(["report", out.path, "--out", page.path])
        XCTAssertEqual(report.status, 0, report.standardError)
        let html = try String(contentsOf: page, encoding: .utf8)
        let svgs = try XMLDocument(xmlString: html, options: []).nodes(forXPath: "//*[local-name()='svg']")
        XCTAssertEqual(svgs.count, 2, "JSD-4 against minutes and iterations")
        XCTAssertTrue(html.contains("fill-opacity=\"0.2\""), "a shaded band")
        XCTAssertTrue(html.contains("0.35 at 98k iterations / 1,150 min"), "the paper's figures beside")
        try Chromium.open(page, svgCount: svgs.count, profile: corpus.root.appendingPathComponent("chromium"))
    }

    func testAChangedConfigurationInTheSameDirectoryIsAOneLineError() throws {
        let out = corpus.root.appendingPathComponent("changed")
        let first = try TTURTextExecutable.run(arguments(out, iterations: 2, seeds: 1, schedules: "ttur", jobs: 1))
        XCTAssertEqual(first.status, 0, first.standardError)
        var changed = arguments(out, iterations: 2, seeds: 1, schedules: "ttur", jobs: 1)
        changed[changed.firstIndex(of: "--dim")! + 1] = "16"
        let result = try TTURTextExecutable.run(changed)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains("--dim is 16 here but 8 there"), result.standardError)
        // --jobs is not part of the configuration: the finished run is skipped.
        let otherJobs = try TTURTextExecutable.run(arguments(out, iterations: 2, seeds: 1, schedules: "ttur", jobs: 3))
        XCTAssertEqual(otherJobs.status, 0, otherJobs.standardError)
        XCTAssertTrue(otherJobs.standardOutput.contains("skip ttur-seed0"), otherJobs.standardOutput)
        let reserved = try TTURTextExecutable.run(arguments(out, iterations: 2, seeds: 1, jobs: 1, extra: ["--seed", "3"]))
        XCTAssertNotEqual(reserved.status, 0)
        XCTAssertTrue(reserved.standardError.contains("--seed is set by the experiment"), reserved.standardError)
        // The passed-through options are checked by the training command's parser before any run starts.
        let unknown = try TTURTextExecutable.run(arguments(corpus.root.appendingPathComponent("unknown"), iterations: 2,
                                                           extra: ["--no-such-flag"]))
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.standardError.contains("--no-such-flag"), unknown.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: corpus.root.appendingPathComponent("unknown").path))
    }

    func testASecondRunnerGetsTheLockErrorAndSIGTERMIsForwarded() throws {
        let out = corpus.root.appendingPathComponent("locked")
        let command = arguments(out, iterations: 100_000_000, seeds: 1, schedules: "ttur", jobs: 1)
        let output = corpus.root.appendingPathComponent("runner.out")
        let runner = try startRunner(command, output: output)
        let log = out.appendingPathComponent("ttur-seed0/log.jsonl")
        try wait(120, "the run training") { ((try? Data(contentsOf: log))?.count ?? 0) > 0 }
        let second = try TTURTextExecutable.run(command)
        XCTAssertNotEqual(second.status, 0)
        XCTAssertEqual(second.standardError.split(separator: "\n").count, 1, second.standardError)
        XCTAssertTrue(second.standardError.contains("is being trained by another process (pid \(runner.processIdentifier)"),
                      second.standardError)
        let child = try XCTUnwrap(childPids(output).first)
        XCTAssertTrue(second.standardError.contains("pid \(child) (training)"), second.standardError)

        kill(runner.processIdentifier, SIGTERM)
        runner.waitUntilExit()
        XCTAssertEqual(runner.terminationStatus, 143)
        XCTAssertFalse(isAlive(child))
        // The child wrote its final checkpoint at the iteration it stopped at (its last log line).
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("ttur-seed0/checkpoints").path)
            .filter { $0.hasSuffix(".safetensors") }.sorted()
        let stoppedAt = try self.log(out.appendingPathComponent("ttur-seed0")).last!.iteration
        XCTAssertEqual(checkpoints.last, String(format: "iter-%08d.safetensors", stoppedAt), "\(checkpoints)")
        let text = try String(contentsOf: output, encoding: .utf8)
        XCTAssertTrue(text.contains("stopped ttur-seed0"), text)
    }
}

