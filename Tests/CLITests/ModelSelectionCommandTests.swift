import Foundation
import Tensors
import XCTest
import _TestSupport

/// Model selection end to end: `train` keeps `checkpoints/best.safetensors` at the evaluation
/// with the lowest JSD-4 over n-grams not all padding, `sample` reads it by default, and
/// resume keeps it (on `TrainCommandTests`' tiny runs).
extension TrainCommandTests {
    private struct Line: Decodable {
        struct Selection: Decodable {
            let score: Double?
            let best_iteration: Int?
            let best_score: Double?
        }
        let iteration: Int
        let jsd_nonpadding: [String: Double]
        let selection: Selection
    }

    private func log(_ run: URL) throws -> [Line] {
        try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Line.self, from: Data($0.utf8))
        }
    }

    private func bytes(_ run: URL, _ name: String) throws -> Data {
        try Data(contentsOf: run.appendingPathComponent("checkpoints").appendingPathComponent(name))
    }

    private func periodic(_ iteration: Int) -> String { String(format: "iter-%08d.safetensors", iteration) }

    func testBestCheckpointIsTheBestEvaluationsBitForBitAndSampledByDefault() throws {
        let straight = corpus.root.appendingPathComponent("straight")
        let trained = try train(straight, ["--iterations", "12", "--keep", "100"])
        XCTAssertEqual(trained.status, 0, trained.standardError)
        let lines = try log(straight)
        XCTAssertEqual(lines.map(\.iteration), [0, 2, 4, 6, 8, 10, 12])
        for line in lines {  // JSD-4 not all padding, unless disjoint from the corpus (1 to rounding)
            let jsd = try XCTUnwrap(line.jsd_nonpadding["4"])
            XCTAssertEqual(line.selection.score, jsd < 1 - 1e-9 ? jsd : nil)
        }

        // The best is the lowest score, and the run got worse after it.
        let scored = lines.compactMap { line in line.selection.score.map { (line.iteration, $0) } }
        let lowest = try XCTUnwrap(scored.min { $0.1 < $1.1 })
        let best = try XCTUnwrap(lines.last?.selection.best_iteration)
        XCTAssertEqual(best, lowest.0)
        XCTAssertEqual(lines.last?.selection.best_score, lowest.1)
        XCTAssertLessThan(best, 12, "the fixture run's best must come before its end")
        XCTAssertGreaterThan(try XCTUnwrap(lines.last?.jsd_nonpadding["4"]), lowest.1, "worse at the end than at the best")
        XCTAssertTrue(trained.standardOutput.contains("best \(best)"), "the JSD table has the best column:\n\(trained.standardOutput)")

        // best.safetensors is the periodic checkpoint of the best iteration, bit for bit.
        XCTAssertEqual(try bytes(straight, "best.safetensors"), try bytes(straight, periodic(best)))

        // `sample` without flags samples it and says so; `--checkpoint last` the newest.
        let sampled = try TTURTextExecutable.run(["sample", "--run", straight.path, "-n", "6"])
        XCTAssertEqual(sampled.status, 0, sampled.standardError)
        let first = sampled.standardError.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.contains("best.safetensors: iteration \(best), JSD-4 of n-grams not all padding")
                          && first.contains(String(format: "%.4f", lowest.1)) && first.hasSuffix("(the run's best)"), first)
        let fromPeriodic = try TTURTextExecutable.run(["sample", "--checkpoint",
                                                       straight.appendingPathComponent("checkpoints/" + periodic(best)).path, "-n", "6"])
        XCTAssertEqual(sampled.standardOutput, fromPeriodic.standardOutput)
        // At a temperature the units are drawn from --seed: the same seed, the same sentences.
        let warm = ["sample", "--run", straight.path, "-n", "6", "--temperature", "1", "--seed", "3"]
        let drawn = try TTURTextExecutable.run(warm), redrawn = try TTURTextExecutable.run(warm)
        XCTAssertEqual(drawn.status, 0, drawn.standardError)
        XCTAssertEqual(drawn.standardOutput, redrawn.standardOutput)
        XCTAssertNotEqual(drawn.standardOutput, sampled.standardOutput, "drawn, not argmax")
        let last = try TTURTextExecutable.run(["sample", "--run", straight.path, "--checkpoint", "last", "-n", "6"])
        XCTAssertEqual(last.status, 0, last.standardError)
        XCTAssertTrue(last.standardError.hasPrefix("sampling \(straight.path)/checkpoints/\(periodic(12)): iteration 12"), last.standardError)

        // Stopped after the best and resumed, with old checkpoints pruned: the best file is kept
        // as it was, and holds what the uninterrupted run's does (its configuration, with
        // the first budget and --keep, aside).
        let resumed = corpus.root.appendingPathComponent("resumed")
        XCTAssertEqual(try train(resumed, ["--iterations", "\(best + 2)", "--keep", "1"]).status, 0)
        let before = try bytes(resumed, "best.safetensors")
        let again = try TTURTextExecutable.run(["train", "--resume", "--run", resumed.path, "--data", data.path, "--iterations", "12"])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: resumed.appendingPathComponent("checkpoints/" + periodic(best)).path),
                       "the periodic checkpoint of the best is pruned")
        XCTAssertEqual(try bytes(resumed, "best.safetensors"), before)
        let a = try SafeTensorsFile(contentsOf: straight.appendingPathComponent("checkpoints/best.safetensors"))
        let b = try SafeTensorsFile(contentsOf: resumed.appendingPathComponent("checkpoints/best.safetensors"))
        XCTAssertEqual(a.tensors, b.tensors)
        for key in ["iteration", "random_state", "adam_step_generator", "adam_step_critic"] {
            XCTAssertEqual(a.metadata[key], b.metadata[key], key)
        }
        XCTAssertEqual(b.metadata["iteration"], String(best))
        XCTAssertEqual(try log(resumed).map(\.selection.best_iteration), lines.map(\.selection.best_iteration))
    }

    func testCheckpointChoiceErrorsAreOneLine() throws {
        let noRun = try TTURTextExecutable.run(["sample", "--checkpoint", "best"])
        XCTAssertNotEqual(noRun.status, 0)
        XCTAssertTrue(noRun.standardError.contains("--checkpoint best needs --run DIR"), noRun.standardError)
        let run = corpus.root.appendingPathComponent("none")
        try FileManager.default.createDirectory(at: run.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        let missing = try TTURTextExecutable.run(["sample", "--run", run.path, "--checkpoint", "best"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(missing.standardError.split(separator: "\n").count, 1, missing.standardError)
        XCTAssertTrue(missing.standardError.contains("\(run.path)/checkpoints/best.safetensors: no best checkpoint"), missing.standardError)
        let temperature = try TTURTextExecutable.run(["sample", "--run", run.path, "--temperature=-1"])
        XCTAssertNotEqual(temperature.status, 0)
        XCTAssertTrue(temperature.standardError.contains("--temperature must be 0 or positive"), temperature.standardError)
    }
}
