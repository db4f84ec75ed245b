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
                atPath: killed.appendingPathComponent("checkpoints").path)) ?? []).filter { $0.hasPrefix("iter-") && $0.hasSuffix(".safetensors") }.isEmpty
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

extension FaultInjectionTests {
    /// `kill -9` of `prepare corpus` at seeded random moments: the output directory is either
    /// absent or a complete dataset, never partial; a re-run succeeds and clears the leftovers.
    func testKilledPreparationNeverLeavesAPartialDataset() throws {
        let corpus = try TemporaryCorpus()
        var random = RandomSource(seed: 5)
        let letters = Array("abcdefghijklmnopqrstuvwxyz ")
        for shard in 1...2 {
            _ = try corpus.addShard(shard, lines: (0..<8_000).map { _ in
                String((0..<40).map { _ in letters[random.nextInt(below: letters.count)] })
            }, zstd: shard % 2 == 0)
        }
        let output = corpus.root.appendingPathComponent("data/killed")
        let arguments = ["prepare", "corpus", corpus.corpusDirectory.path, "--out", output.path, "--vocab-dir", ""]
        var kills = 0
        for _ in 0..<3 {
            let process = Process()
            process.executableURL = TTURTextExecutable.url
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(20_000 + random.nextInt(below: 150_000)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            if FileManager.default.fileExists(atPath: output.path) {
                XCTAssertNoThrow(try PreparedDatasetCheck.assertComplete(output))
            }
        }
        XCTAssertGreaterThan(kills, 0, "no kill landed while preparing")
        let rerun = try TTURTextExecutable.run(arguments)
        XCTAssertEqual(rerun.status, 0, rerun.standardError)
        try PreparedDatasetCheck.assertComplete(output)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "hidden leftovers after a successful re-run")
    }
}

/// A prepared dataset is complete when its manifest, tokens and n-gram store are all there
/// and the tokens have the size the manifest says.
enum PreparedDatasetCheck {
    struct Incomplete: Error, CustomStringConvertible { let description: String }

    static func assertComplete(_ directory: URL) throws {
        let manifestData = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        guard let manifest = try JSONSerialization.jsonObject(with: manifestData) as? [String: Any],
              let sentences = manifest["sentences"] as? Int, let length = manifest["seq_len"] as? Int else {
            throw Incomplete(description: "\(directory.path): unreadable manifest")
        }
        let tokens = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("tokens.u16").path)
        guard (tokens[.size] as? Int) == sentences * length * 2 else {
            throw Incomplete(description: "\(directory.path): tokens.u16 has the wrong size")
        }
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("ngrams.sqlite").path),
              FileManager.default.fileExists(atPath: directory.appendingPathComponent("vocab.tsv").path) else {
            throw Incomplete(description: "\(directory.path): missing the n-gram store or the vocabulary")
        }
    }
}
