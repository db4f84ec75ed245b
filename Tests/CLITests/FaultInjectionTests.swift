import Foundation
import Tensors
import XCTest
import _TestSupport

/// `kill -9` of `ttur-text train` at seeded random moments (checkpoint writes included, with a
/// checkpoint every iteration), then `--resume`, until the run completes: no checkpoint file
/// is ever half-written, and the final parameters equal an uninterrupted run's bit for bit.
final class FaultInjectionTests: XCTestCase {
    func testKilledTrainingResumesToTheSameParameters() throws {
        let corpus = try TemporaryCorpus()
        let words = ["kill", "nine", "resume", "check", "point", "atomic", "write"]
        var random = RandomSource(seed: 21)
        _ = try corpus.addShard(1, lines: (0..<200).map { _ in
            (0..<3).map { _ in words[random.nextInt(below: words.count)] }.joined(separator: " ")
        })
        let data = corpus.root.appendingPathComponent("data")
        XCTAssertEqual(try TTURTextExecutable.run(["prepare", "corpus", corpus.corpusDirectory.path, "--out", data.path,
                                                   "--seq-len", "8", "--ngram", "3", "--vocab-dir", ""]).status, 0)
        let common = ["--data", data.path, "--dim", "16", "--batch", "8", "--noise", "8", "--eval-every", "3",
                      "--checkpoint-every", "1", "--ngram", "3", "--threads", "1", "--seed", "9"]
        let iterations = "12"

        let straight = corpus.root.appendingPathComponent("straight")
        XCTAssertEqual(try TTURTextExecutable.run(["train", "--run", straight.path, "--iterations", iterations] + common).status, 0)

        let killed = corpus.root.appendingPathComponent("killed")
        var kills = 0, attempts = 0
        while attempts < 40 {
            attempts += 1
            let hasCheckpoint = !((try? FileManager.default.contentsOfDirectory(
                atPath: killed.appendingPathComponent("checkpoints").path)) ?? []).filter { $0.hasSuffix(".safetensors") }.isEmpty
            let process = Process()
            process.executableURL = TTURTextExecutable.url
            process.arguments = ["train", "--run", killed.path, "--iterations", iterations]
                + (hasCheckpoint ? ["--resume", "--data", data.path] : common)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if kills < 4 {
                usleep(UInt32(50_000 + random.nextInt(below: 400_000)))
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                }
            }
            process.waitUntilExit()
            try assertEveryCheckpointIsComplete(killed)
            if process.terminationReason == .exit && process.terminationStatus == 0 { break }
        }
        XCTAssertGreaterThan(kills, 0, "no kill landed while training ran")
        let a = try SafeTensorsFile(contentsOf: straight.appendingPathComponent("checkpoints/iter-00000012.safetensors"))
        let b = try SafeTensorsFile(contentsOf: killed.appendingPathComponent("checkpoints/iter-00000012.safetensors"))
        for (name, entry) in a.tensors { XCTAssertEqual(entry, b.tensors[name], "\(name) differs after \(kills) kills") }
        XCTAssertEqual(a.metadata["random_state"], b.metadata["random_state"])
    }

    private func assertEveryCheckpointIsComplete(_ run: URL) throws {
        let directory = run.appendingPathComponent("checkpoints")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasSuffix(".safetensors") && !name.hasPrefix(".") {
            XCTAssertNoThrow(try SafeTensorsFile(contentsOf: directory.appendingPathComponent(name)), name)
        }
    }
}
