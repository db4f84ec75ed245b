import Foundation
import Tensors
import XCTest
import _TestSupport

/// A full disk and a read-only location, with real processes. A full disk is simulated with
/// the process's file-size limit (`ulimit -f`, SIGXFSZ ignored as a full disk raises no
/// signal): every write past the limit fails as ENOSPC would, no root or tmpfs needed. The
/// read-only location is sysfs, where nobody, root included, may create files.
final class StorageFaultTests: XCTestCase {
    private func runLimited(_ arguments: [String], kilobytes: Int) throws -> CommandResult {
        try TTURTextExecutable.run(arguments, fileSizeLimit: kilobytes)
    }

    private func preparedCorpus() throws -> (TemporaryCorpus, URL) {
        let corpus = try TemporaryCorpus()
        let words = ["full", "disk", "read", "only", "check", "point", "atomic"]
        var random = RandomSource(seed: 4)
        _ = try corpus.addShard(1, lines: (0..<300).map { _ in
            (0..<3).map { _ in words[random.nextInt(below: words.count)] }.joined(separator: " ")
        })
        let data = corpus.root.appendingPathComponent("data")
        let prepared = try TTURTextExecutable.run(["prepare", "corpus", corpus.corpusDirectory.path, "--out", data.path,
                                                   "--seq-len", "8", "--ngram", "3", "--vocab-dir", ""])
        XCTAssertEqual(prepared.status, 0, prepared.standardError)
        return (corpus, data)
    }

    /// The disk fills while a resumed run writes its next checkpoint: a one-line error naming
    /// the file, no partial or temporary file, the previous checkpoint intact, and a resume
    /// after space is freed ends where an uninterrupted run does.
    func testFullDiskDuringACheckpointLosesNothingWritten() throws {
        let (corpus, data) = try preparedCorpus()
        let common = ["--data", data.path, "--dim", "16", "--batch", "8", "--noise", "8", "--eval-every", "2",
                      "--checkpoint-every", "2", "--ngram", "3", "--threads", "1", "--seed", "3"]
        let straight = corpus.root.appendingPathComponent("straight")
        XCTAssertEqual(try TTURTextExecutable.run(["train", "--run", straight.path, "--iterations", "4"] + common).status, 0)
        let run = corpus.root.appendingPathComponent("run")
        XCTAssertEqual(try TTURTextExecutable.run(["train", "--run", run.path, "--iterations", "2"] + common).status, 0)

        // Logs and samples (a few KB) fit under 64 KB; a checkpoint (~300 KB) does not.
        let full = try runLimited(["train", "--resume", "--run", run.path, "--data", data.path, "--iterations", "4"],
                                  kilobytes: 64)
        XCTAssertNotEqual(full.status, 0)
        let message = full.standardError.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(message.contains(run.appendingPathComponent("checkpoints/iter-00000004.safetensors").path)
                      && message.contains("File too large"), full.standardError)
        let files = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
        XCTAssertEqual(files.filter { $0 != "best.safetensors" }, ["iter-00000002.safetensors"], "no partial or temporary checkpoint")
        if files.contains("best.safetensors") {  // the first part's best, whole
            XCTAssertNoThrow(try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/best.safetensors")))
        }
        XCTAssertNoThrow(try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/iter-00000002.safetensors")))

        let resumed = try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path, "--iterations", "4"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        let a = try SafeTensorsFile(contentsOf: straight.appendingPathComponent("checkpoints/iter-00000004.safetensors"))
        let b = try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/iter-00000004.safetensors"))
        for (name, entry) in a.tensors { XCTAssertEqual(entry, b.tensors[name], name) }
    }

    /// The disk fills while a corpus is prepared: an error naming the file, and no output
    /// directory (complete or partial) and no staging leftovers.
    func testFullDiskDuringPreparationLeavesNoOutput() throws {
        let corpus = try TemporaryCorpus()
        var random = RandomSource(seed: 6)
        let letters = Array("abcdefghij ")
        _ = try corpus.addShard(1, lines: (0..<4_000).map { _ in
            String((0..<30).map { _ in letters[random.nextInt(below: letters.count)] })
        })
        let output = corpus.root.appendingPathComponent("data/full")
        let result = try runLimited(["prepare", "corpus", corpus.corpusDirectory.path, "--out", output.path,
                                     "--vocab-dir", ""], kilobytes: 32)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("File too large") && result.standardError.contains(corpus.root.path),
                      result.standardError)
        XCTAssertFalse(result.standardError.contains("Fatal error"), result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers, [], "staging folders are removed")
    }

    /// A read-only location is refused with the path and the system's reason before any work.
    func testReadOnlyLocationsAreRefusedUpFront() throws {
        let (corpus, data) = try preparedCorpus()
        let readOnly = "/sys/ttur-text-\(getpid())"
        let cases: [([String], String)] = [
            (["train", "--data", data.path, "--run", readOnly, "--iterations", "1", "--dim", "8", "--ngram", "3"], readOnly),
            (["prepare", "corpus", corpus.corpusDirectory.path, "--out", readOnly + "/data", "--vocab-dir", ""], readOnly),
        ]
        for (arguments, path) in cases {
            let started = Date()
            let result = try TTURTextExecutable.run(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.standardError.contains(path), "\(arguments): \(result.standardError)")
            XCTAssertFalse(result.standardError.contains("Fatal error"), result.standardError)
            XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        }
    }
}
