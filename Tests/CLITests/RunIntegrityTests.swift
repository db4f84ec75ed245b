import Foundation
import Tensors
import XCTest
import _TestSupport

/// Nothing silently wrong (issue 31), end to end as real processes: one writer per run
/// directory, checkpoints whose damage is caught (resume falls back to the newest intact
/// one, sampling refuses), a damaged dataset refused.
final class RunIntegrityTests: XCTestCase {
    private var corpus: TemporaryCorpus!
    private var data: URL!

    override func setUpWithError() throws {
        corpus = try TemporaryCorpus()
        data = try WordCorpus.prepare(in: corpus)
    }

    private func trainArguments(_ run: URL, _ extra: [String]) -> [String] {
        ["train", "--data", data.path, "--run", run.path, "--dim", "8", "--batch", "4", "--noise", "6",
         "--eval-every", "2", "--checkpoint-every", "2", "--ngram", "4", "--threads", "1", "--seed", "5"] + extra
    }

    private func logIterations(_ run: URL) throws -> [Int] {
        try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n").map {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            return try XCTUnwrap(object["iteration"] as? Int)
        }
    }

    /// Starts `ttur-text arguments…` without waiting; its output goes to files in the corpus root.
    private func start(_ arguments: [String], name: String) throws -> (process: Process, stderr: URL) {
        let process = Process()
        process.executableURL = TTURTextExecutable.url
        process.arguments = arguments
        let out = corpus.root.appendingPathComponent("\(name).out"), err = corpus.root.appendingPathComponent("\(name).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        addTeardownBlock { if process.isRunning { process.terminate(); process.waitUntilExit() } }  // never left training
        return (process, err)
    }

    private func wait(_ seconds: Double, _ what: String, until condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw LocatedError("waited \(Int(seconds)) s, never happened: \(what)") }
            usleep(20_000)
        }
    }

    /// Two writers started at the same moment on one directory (fresh, then both resuming):
    /// one trains, the other exits 1 before touching anything, in one line naming the
    /// holder's pid; the log has each iteration once.
    private func expectOneWriter(_ arguments: [String], run: URL, name: String) throws {
        let logged = ((try? logIterations(run)) ?? []).count
        let a = try start(arguments, name: name + "-a"), b = try start(arguments, name: name + "-b")
        let processes = [a, b]
        // The loser exits at once; the winner trains until stopped.
        try wait(120, "one of two writers to exit") { processes.contains { !$0.process.isRunning } }
        let loser = try XCTUnwrap(processes.first { !$0.process.isRunning })
        let winner = try XCTUnwrap(processes.first { $0.process !== loser.process })
        XCTAssertEqual(loser.process.terminationStatus, 1)
        let message = try String(contentsOf: loser.stderr, encoding: .utf8)
        XCTAssertEqual(message.split(separator: "\n").count, 1, message)
        XCTAssertTrue(message.contains("\(run.path): is being trained by another process (pid \(winner.process.processIdentifier)"), message)

        // Stopped once it is training (its handlers installed): it logged evaluations of its own.
        try wait(120, "the winner's first evaluations") { ((try? logIterations(run)) ?? []).count >= logged + 2 }
        kill(winner.process.processIdentifier, SIGTERM)
        winner.process.waitUntilExit()
        let winnerMessage = try String(contentsOf: winner.stderr, encoding: .utf8)
        XCTAssertEqual(winner.process.terminationStatus, 143, winnerMessage)
        let iterations = try logIterations(run)
        XCTAssertEqual(iterations, iterations.sorted())
        XCTAssertEqual(Set(iterations).count, iterations.count, "an iteration logged twice: \(iterations)")
    }

    func testOneWriterPerRunDirectoryAndKill9LeavesNoStaleLock() throws {
        let run = corpus.root.appendingPathComponent("shared-run")
        try expectOneWriter(trainArguments(run, ["--iterations", "100000000"]), run: run, name: "fresh")
        try expectOneWriter(["train", "--resume", "--run", run.path, "--data", data.path, "--iterations", "100000000"],
                            run: run, name: "resume")

        // kill -9 of the holder: the kernel drops the lock, and the next resume takes it.
        let holder = try start(["train", "--resume", "--run", run.path, "--data", data.path, "--iterations", "100000000"],
                               name: "holder")
        let before = try logIterations(run).count
        try wait(120, "the holder training") { ((try? logIterations(run)) ?? []).count > before }
        kill(holder.process.processIdentifier, SIGKILL)
        holder.process.waitUntilExit()
        let reached = try XCTUnwrap(try logIterations(run).last)
        let next = try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path,
                                               "--iterations", String(reached + 4)])
        XCTAssertEqual(next.status, 0, next.standardError)
        XCTAssertEqual(try logIterations(run).last, reached + 4)
    }

    /// A checkpoint with bytes changed in its data: `sample` refuses it in one line; `--resume`
    /// names it in one line, sets it aside and continues from the previous one, exactly as an
    /// uninterrupted run; with every checkpoint damaged it fails in one line.
    func testADamagedCheckpointIsRefusedAndResumeFallsBackToTheNewestIntactOne() throws {
        let straight = corpus.root.appendingPathComponent("straight"), run = corpus.root.appendingPathComponent("damaged")
        XCTAssertEqual(try TTURTextExecutable.run(trainArguments(straight, ["--iterations", "8"])).status, 0)
        XCTAssertEqual(try TTURTextExecutable.run(trainArguments(run, ["--iterations", "6"])).status, 0)
        let newest = run.appendingPathComponent("checkpoints/iter-00000006.safetensors")
        var bytes = try Data(contentsOf: newest)
        XCTAssertNotNil(try SafeTensorsFile(contentsOf: newest).metadata[SafeTensorsFile.checksumKey])
        // 5,000 bytes of tensor data set to zero, as in the report.
        let dataStart = 8 + Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        let zeroed = min(5_000, (bytes.count - dataStart) / 2)
        bytes.replaceSubrange(dataStart + zeroed ..< dataStart + 2 * zeroed, with: Data(count: zeroed))
        try bytes.write(to: newest)

        let sampled = try TTURTextExecutable.run(["sample", "--checkpoint", newest.path, "-n", "2"])
        XCTAssertEqual(sampled.status, 1)
        XCTAssertEqual(sampled.standardError.split(separator: "\n").count, 1, sampled.standardError)
        XCTAssertTrue(sampled.standardError.contains("\(newest.path): is not a readable safetensors file: corrupt: the tensor data's SHA-256"),
                      sampled.standardError)

        let resumed = try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path, "--iterations", "8"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        let warnings = resumed.standardError.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        XCTAssertEqual(warnings.count, 1, resumed.standardError)
        XCTAssertTrue(warnings.first?.contains("\(newest.path): is not a readable safetensors file: corrupt") == true, resumed.standardError)
        XCTAssertTrue(warnings.first?.contains("resuming from iteration 4") == true, resumed.standardError)
        XCTAssertTrue(FileManager.default.fileExists(atPath: newest.path + ".damaged"))
        XCTAssertEqual(try logIterations(run), [0, 2, 4, 6, 8])
        let a = try SafeTensorsFile(contentsOf: straight.appendingPathComponent("checkpoints/iter-00000008.safetensors"))
        let b = try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/iter-00000008.safetensors"))
        XCTAssertEqual(a.tensors, b.tensors, "resumed from iteration 4, the run must reach what an uninterrupted one does")

        // Every checkpoint damaged: nothing to fall back to.
        for checkpoint in try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
            where checkpoint.hasSuffix(".safetensors") {
            let url = run.appendingPathComponent("checkpoints/\(checkpoint)")
            var damaged = try Data(contentsOf: url)
            damaged[damaged.count - 1] ^= 0xFF
            try damaged.write(to: url)
        }
        let none = try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path, "--iterations", "10"])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.standardError.split(separator: "\n").count, 1, none.standardError)
        XCTAssertTrue(none.standardError.contains("no intact checkpoint to resume from (3 damaged"), none.standardError)
    }

    /// A flipped byte of `tokens.u16` that stays inside the vocabulary: training refuses the
    /// dataset in one line naming the file and the damaged block.
    func testADamagedDatasetIsRefused() throws {
        let tokens = data.appendingPathComponent("tokens.u16")
        var bytes = try Data(contentsOf: tokens)
        bytes[10] = bytes[10] == 1 ? 2 : 1  // a low byte: ids 1 and 2 exist in any vocabulary here
        try bytes.write(to: tokens)
        let run = corpus.root.appendingPathComponent("never")
        let result = try TTURTextExecutable.run(trainArguments(run, ["--iterations", "2"]))
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains("\(tokens.path): byte 0: corrupt: block 1 of 1"), result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.path), "a refused new run leaves no directory")
    }

    /// `bench integrity` at a small size: both ways timed for the dataset and the
    /// checkpoint; the checked way really checks (its dataset has digests, its checkpoint a hash).
    func testBenchIntegrityTimesEachCheckBesideNoCheck() throws {
        let sample = try SharedData.require("corpora/billion-word-sample")
        let work = corpus.root.appendingPathComponent("bench")
        let result = try TTURTextExecutable.run(["bench", "integrity", "--sentences", "1200", "--dim", "8", "--repeats", "2",
                                                 "--work", work.path, "--sample", sample.path])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("open a prepared dataset of 1200 sentences (tokens.u16 0 MB, 1 digests): "),
                      result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("with the block digests checked"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("read a dim-8 checkpoint"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("with its SHA-256 checked"), result.standardOutput)
        let checkpoint = work.appendingPathComponent("integrity-checkpoint-dim8.safetensors")
        XCTAssertTrue(try SafeTensorsFile(contentsOf: checkpoint).isChecksummed)
    }
}
