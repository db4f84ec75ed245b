import Foundation
import Tensors
import XCTest
import _TestSupport

/// `ttur-text train` / `sample` end to end on a tiny model, as real processes.
final class TrainCommandTests: XCTestCase {
    var corpus: TemporaryCorpus!
    var data: URL!

    override func setUpWithError() throws {
        corpus = try TemporaryCorpus()
        data = try WordCorpus.prepare(in: corpus)
    }

    /// A tiny run (seed 5); with `--iterations 12` its score worsens after its best evaluation.
    func train(_ run: URL, _ extra: [String]) throws -> CommandResult {
        try TTURTextExecutable.run(["train", "--data", data.path, "--run", run.path, "--dim", "8", "--batch", "4",
                                    "--noise", "6", "--eval-every", "2", "--checkpoint-every", "2", "--ngram", "4",
                                    "--threads", "1", "--seed", "5"] + extra)
    }

    private func logIterations(_ run: URL) throws -> [Int] {
        try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { line in
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let jsd = try XCTUnwrap(object["jsd"] as? [String: Double])
                XCTAssertEqual(Set(jsd.keys), ["1", "2", "3", "4"])
                XCTAssertTrue(jsd.values.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-9 })
                return try XCTUnwrap(object["iteration"] as? Int)
            }
    }

    func testTrainingLogsChecksPointsResumesExactlyAndSamples() throws {
        let straight = corpus.root.appendingPathComponent("straight")
        let result = try train(straight, ["--iterations", "6"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(try logIterations(straight), [0, 2, 4, 6])
        let log = try String(contentsOf: straight.appendingPathComponent("log.jsonl"), encoding: .utf8)
        for key in ["critic_loss", "gen_loss", "wasserstein", "gradient_penalty", "seconds"] {
            XCTAssertTrue(log.contains("\"\(key)\""), "log lacks \(key)")
        }
        XCTAssertTrue(FileManager.default.fileExists(
            atPath: straight.appendingPathComponent("samples/iter-00000006.txt").path))

        // Stopped at 3, resumed to 6: the same parameters and optimiser state, bit for bit.
        let resumed = corpus.root.appendingPathComponent("resumed")
        XCTAssertEqual(try train(resumed, ["--iterations", "3"]).status, 0)
        let second = try TTURTextExecutable.run(["train", "--resume", "--run", resumed.path, "--data", data.path,
                                                 "--iterations", "6"])
        XCTAssertEqual(second.status, 0, second.standardError)
        XCTAssertEqual(try logIterations(resumed), [0, 2, 3, 4, 6])
        let a = try SafeTensorsFile(contentsOf: straight.appendingPathComponent("checkpoints/iter-00000006.safetensors"))
        let b = try SafeTensorsFile(contentsOf: resumed.appendingPathComponent("checkpoints/iter-00000006.safetensors"))
        XCTAssertEqual(Set(a.tensors.keys), Set(b.tensors.keys))
        XCTAssertTrue(a.tensors.keys.contains("Generator.1.1.weight"))
        XCTAssertTrue(a.tensors.keys.contains("adam.critic.v.Discriminator.Output.weight"))
        for (name, entry) in a.tensors { XCTAssertEqual(entry, b.tensors[name], "\(name) differs after resume") }
        XCTAssertEqual(a.metadata["random_state"], b.metadata["random_state"])

        let sampled = try TTURTextExecutable.run(["sample", "--run", straight.path, "-n", "5"])
        XCTAssertEqual(sampled.status, 0, sampled.standardError)
        let lines = sampled.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines.allSatisfy { !$0.hasSuffix("`") && $0.count <= 8 }, "padding must be stripped")
    }

    /// `--bleu-every`: BLEU and self-BLEU in the log at its multiples only, the same numbers
    /// as `eval text` gives for that evaluation's samples; kept on resume; bad values refused.
    func testTextMetricsAreLoggedAsEvalTextScoresTheSamples() throws {
        let run = corpus.root.appendingPathComponent("bleu")
        let result = try train(run, ["--iterations", "4", "--bleu-every", "4", "--bleu-references", "10000"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path, "--iterations", "8",
                                                   "--bleu-references", "10000"]).status, 0)
        let entries = try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(entries.compactMap { $0["iteration"] as? Int }, [0, 2, 4, 6, 8])
        XCTAssertEqual(entries.filter { $0["bleu"] != nil }.compactMap { $0["iteration"] as? Int }, [0, 4, 8])
        for entry in entries where entry["bleu"] != nil {
            let iteration = try XCTUnwrap(entry["iteration"] as? Int)
            let samples = run.appendingPathComponent(String(format: "samples/iter-%08d.txt", iteration))
            let scored = try TTURTextExecutable.run(["eval", "text", "--data", data.path, "--samples", samples.path, "--json"])
            XCTAssertEqual(scored.status, 0, scored.standardError)
            let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.standardOutput.utf8)) as? [String: Any])
            let bleu = try XCTUnwrap(entry["bleu"] as? [String: Double]), selfBLEU = try XCTUnwrap(entry["self_bleu"] as? [String: Double])
            let msJaccard = try XCTUnwrap(entry["msjaccard"] as? [String: Double])
            for n in 2...5 {
                XCTAssertEqual(bleu["\(n)"], expected["bleu\(n)"] as? Double, "iteration \(iteration) BLEU-\(n)")
                XCTAssertEqual(selfBLEU["\(n)"], expected["self_bleu\(n)"] as? Double, "iteration \(iteration) self-BLEU-\(n)")
                XCTAssertEqual(msJaccard["\(n)"], expected["msjaccard\(n)"] as? Double, "iteration \(iteration) MS-Jaccard-\(n)")
            }
            let model = try XCTUnwrap(entry["language_model"] as? [String: Double])
            XCTAssertEqual(model["bits_per_char"], expected["lm_bits_per_char"] as? Double, "iteration \(iteration)")
            XCTAssertEqual(model["reverse_bits_per_char"], expected["reverse_lm_bits_per_char"] as? Double, "iteration \(iteration)")
        }
        for bad in [["--bleu-every", "3"], ["--bleu-every", "0"], ["--bleu-every", "2", "--bleu-references", "0"]] {
            let refused = try train(corpus.root.appendingPathComponent("refused"), ["--iterations", "2"] + bad)
            XCTAssertNotEqual(refused.status, 0, "\(bad)")
            XCTAssertTrue(refused.standardError.contains("--bleu-"), "\(bad): \(refused.standardError)")
        }
    }

    func testBadFlagsAndMissingDataAreOneLineErrors() throws {
        let noBudget = try TTURTextExecutable.run(["train", "--data", data.path])
        XCTAssertNotEqual(noBudget.status, 0)
        XCTAssertTrue(noBudget.standardError.contains("--iterations"), noBudget.standardError)
        let missing = try TTURTextExecutable.run(["train", "--data", "/nonexistent/data", "--iterations", "1"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.standardError.contains("/nonexistent/data"), missing.standardError)
        let noRun = try TTURTextExecutable.run(["sample", "--run", corpus.root.appendingPathComponent("none").path])
        XCTAssertNotEqual(noRun.status, 0)
        XCTAssertTrue(noRun.standardError.contains("no checkpoint"), noRun.standardError)
    }
}

extension TrainCommandTests {
    /// Ctrl-C (SIGINT) and SIGTERM: a final checkpoint at the iteration reached, exit 130/143,
    /// and the run resumes from there.
    func testSignalsWriteAFinalCheckpointAndExitConventionally() throws {
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let run = corpus.root.appendingPathComponent("signalled-\(signal)")
            let process = Process()
            process.executableURL = TTURTextExecutable.url
            process.arguments = ["train", "--data", data.path, "--run", run.path, "--dim", "8", "--batch", "4",
                                 "--noise", "6", "--eval-every", "1000", "--checkpoint-every", "1000", "--ngram", "4",
                                 "--threads", "1", "--iterations", "100000000"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait until training is under way (the iteration-0 evaluation has been logged).
            let log = run.appendingPathComponent("log.jsonl")
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, ((try? Data(contentsOf: log))?.count ?? 0) == 0 { usleep(20_000) }
            usleep(300_000)
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, status, "signal \(signal)")
            let checkpoints = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
            XCTAssertEqual(checkpoints.filter { $0.hasPrefix("iter-") && $0.hasSuffix(".safetensors") }.count, 1, "\(checkpoints)")
            XCTAssertTrue(checkpoints.contains("best.safetensors"), "the iteration-0 evaluation is the best so far: \(checkpoints)")
            XCTAssertFalse(checkpoints.contains { $0.contains(".tmp-") }, "\(checkpoints)")
            let resumed = try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path,
                                                      "--iterations", "1"])
            XCTAssertEqual(resumed.status, 0, resumed.standardError)
        }
    }

    func testBrokenCheckpointIsAOneLineErrorNamingTheFile() throws {
        let run = corpus.root.appendingPathComponent("broken")
        XCTAssertEqual(try train(run, ["--iterations", "2"]).status, 0)
        for (name, choice) in [("iter-00000002.safetensors", ["--checkpoint", "last"]), ("best.safetensors", [])] {
            let file = run.appendingPathComponent("checkpoints/" + name)
            let bytes = try Data(contentsOf: file)
            try bytes.prefix(bytes.count / 2).write(to: file)  // truncated
            let result = try TTURTextExecutable.run(["sample", "--run", run.path] + choice)
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.standardError.contains(file.path), result.standardError)
            XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        }
    }
}

extension TrainCommandTests {
    /// A diverging run (absurd learning rates) stops with a clear message and keeps only
    /// checkpoints written before the losses stopped being finite.
    func testNonFiniteLossesStopTrainingAndKeepTheLastGoodCheckpoint() throws {
        let run = corpus.root.appendingPathComponent("diverging")
        let result = try train(run, ["--iterations", "50", "--lr-critic", "1e30", "--lr-gen", "1e30",
                                     "--checkpoint-every", "1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("non-finite"), result.standardError)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
            .filter { $0.hasSuffix(".safetensors") }.sorted()
        for name in checkpoints {
            let file = try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/\(name)"))
            for (tensorName, entry) in file.tensors {
                XCTAssertTrue(entry.floats().allSatisfy(\.isFinite), "\(name) holds non-finite \(tensorName)")
            }
        }
    }
}

extension TrainCommandTests {
    /// A file where the run directory should be: one line naming the path, before any training.
    func testUnusableRunLocationIsAClearErrorBeforeAnyWork() throws {
        let blocker = corpus.root.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: blocker)
        let result = try train(blocker.appendingPathComponent("run"), ["--iterations", "1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains(blocker.path), result.standardError)
        XCTAssertTrue(result.standardError.contains("Not a directory"), result.standardError)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
    }
}

extension TrainCommandTests {
    /// `--precision`: the first line, config.json and the checkpoint say which arithmetic ran;
    /// a resume keeps it; bf16 where it cannot run (forced here) is a one-line error before any work.
    func testPrecisionIsChosenOnceShownAndKept() throws {
        let run = corpus.root.appendingPathComponent("precision")
        let first = try train(run, ["--iterations", "2", "--precision", "fp32"])
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertTrue(first.standardOutput.hasPrefix("run \(run.path) [fp32 (OpenBLAS)]"), first.standardOutput)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["precision"] as? String, "fp32")
        let checkpoint = try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/iter-00000002.safetensors"))
        XCTAssertEqual(checkpoint.metadata["precision"], "fp32")
        let resumed = try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path, "--iterations", "3"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("[fp32 (OpenBLAS)]"), resumed.standardOutput)

        let forced = corpus.root.appendingPathComponent("forced")
        let refused = try TTURTextExecutable.run(["train", "--data", data.path, "--run", forced.path, "--dim", "8", "--batch", "4",
                                                  "--noise", "6", "--ngram", "4", "--iterations", "1", "--precision", "bf16"],
                                                 environment: ["TTUR_DISABLE_BF16": "1"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains("bf16 is unavailable"), refused.standardError)
        XCTAssertEqual(refused.standardError.split(separator: "\n").count, 1, refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: forced.path))
        let auto = try TTURTextExecutable.run(["train", "--data", data.path, "--run", forced.path, "--dim", "8", "--batch", "4",
                                               "--noise", "6", "--ngram", "4", "--iterations", "1"],
                                              environment: ["TTUR_DISABLE_BF16": "1"])
        XCTAssertEqual(auto.status, 0, auto.standardError)
        XCTAssertTrue(auto.standardOutput.contains("[fp32 (OpenBLAS)]"), auto.standardOutput)
    }
}


extension TrainCommandTests {
    /// `export`: the generator alone, which `sample --checkpoint` reads like the run's own
    /// checkpoint (the same sentences) and which cannot continue a run.
    func testExportedGeneratorSamplesAsTheRunAndCannotResume() throws {
        let run = corpus.root.appendingPathComponent("exported")
        XCTAssertEqual(try train(run, ["--iterations", "2"]).status, 0)
        let file = corpus.root.appendingPathComponent("generator.safetensors")
        let exported = try TTURTextExecutable.run(["export", "--run", run.path, "--out", file.path])
        XCTAssertEqual(exported.status, 0, exported.standardError)
        let export = try SafeTensorsFile(contentsOf: file)
        XCTAssertEqual(export.metadata["roles"], "generator")
        XCTAssertEqual(export.metadata["optimizer_state"], "none")
        XCTAssertFalse(export.tensors.keys.contains { $0.hasPrefix("Discriminator.") || $0.hasPrefix("adam.") })
        XCTAssertTrue(export.tensors.keys.contains("Generator.1.1.weight"))
        let fromRun = try TTURTextExecutable.run(["sample", "--run", run.path, "-n", "4"])
        let fromExport = try TTURTextExecutable.run(["sample", "--checkpoint", file.path, "--data", data.path, "-n", "4"])
        XCTAssertEqual(fromExport.status, 0, fromExport.standardError)
        XCTAssertEqual(fromExport.standardOutput, fromRun.standardOutput)

        let elsewhere = corpus.root.appendingPathComponent("from-export")
        try FileManager.default.createDirectory(at: elsewhere.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: file, to: elsewhere.appendingPathComponent("checkpoints/iter-00000002.safetensors"))
        let resumed = try TTURTextExecutable.run(["train", "--resume", "--run", elsewhere.path, "--data", data.path, "--iterations", "3"])
        XCTAssertNotEqual(resumed.status, 0)
        XCTAssertTrue(resumed.standardError.contains("cannot continue a run"), resumed.standardError)
        XCTAssertEqual(resumed.standardError.split(separator: "\n").count, 1, resumed.standardError)
    }
}

/// The generator shipped in `Corpora/` for `make demo` samples from the bundled corpus.
final class ShippedGeneratorTests: XCTestCase {
    func testShippedGeneratorSamplesTheBundledCorpus() throws {
        let root = SharedData.repositoryRoot
        let directory = try TemporaryDirectory(prefix: "ttur-shipped")
        let data = directory.url.appendingPathComponent("wordnet-examples")
        let prepared = try TTURTextExecutable.run(["prepare", "corpus", root.appendingPathComponent("Corpora/wordnet-examples").path,
                                                   "--out", data.path, "--ngram", "0", "--vocab-dir", ""])
        XCTAssertEqual(prepared.status, 0, prepared.standardError)
        let shipped = root.appendingPathComponent("Corpora/wordnet-examples-generator.safetensors")
        XCTAssertLessThan(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: shipped.path)[.size] as? Int), 10_000_000)
        let sampled = try TTURTextExecutable.run(["sample", "--checkpoint", shipped.path, "--data", data.path, "-n", "5"])
        XCTAssertEqual(sampled.status, 0, sampled.standardError)
        XCTAssertEqual(sampled.standardOutput.split(separator: "\n").count, 5, sampled.standardOutput)
    }
}
