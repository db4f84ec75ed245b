import Foundation
import Tensors
import XCTest
import _TestSupport

/// `mpirun -np 2 ttur-text train …` and `… image train …` as real processes (XCTest runs all
/// tests in one process, so MPI runs as a child): two ranks compute what one process
/// computes, repeatably; a killed rank ends the job and leaves loadable checkpoints.
final class DistributedTrainingTests: XCTestCase {
    private var corpus: TemporaryCorpus!
    private var data: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.mpirun) else {
            let message = "\(Self.mpirun) is missing: `make test` installs openmpi-bin"
            try skipOutsideCI(message)
        }
        corpus = try TemporaryCorpus()
        data = try WordCorpus.prepare(in: corpus)
    }

    static let mpirun = "/usr/bin/mpirun"

    /// `mpirun -np ranks ttur-text arguments…` (`--allow-run-as-root`: tests run as root in CI).
    private func mpirun(_ ranks: Int, _ arguments: [String]) throws -> CommandResult {
        try TTURTextExecutable.run(program: URL(fileURLWithPath: Self.mpirun),
                                   ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", TTURTextExecutable.url.path]
                                   + arguments)
    }

    private var language: [String] {
        ["train", "--data", data.path, "--dim", "8", "--batch", "4", "--noise", "6", "--eval-every", "2",
         "--checkpoint-every", "5", "--ngram", "4", "--threads", "1", "--seed", "5", "--iterations", "5"]
    }

    private var image: [String] {
        ["image", "train", "--no-fid", "--dataset", "fashion-mnist", "--limit", "64", "--size", "16", "--width", "4",
         "--batch", "8", "--fid-every", "2", "--grid", "4", "--checkpoint-every", "5", "--threads", "1", "--seed", "5",
         "--iterations", "5"]
    }

    private func checkpoint(_ run: URL) throws -> SafeTensorsFile {
        try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/iter-00000005.safetensors"))
    }

    /// ‖a − b‖ / ‖a‖ of every tensor (parameters, buffers, Adam moments) but `excluded`; the largest.
    private func largestDifference(_ a: SafeTensorsFile, _ b: SafeTensorsFile, excluded: Set<String> = [],
                                   file: StaticString = #filePath, line: UInt = #line) -> (Double, String) {
        XCTAssertEqual(Set(a.tensors.keys), Set(b.tensors.keys), file: file, line: line)
        var worst = (0.0, "")
        for (name, entry) in a.tensors where !excluded.contains(name) {
            let x = entry.floats(), y = b.tensors[name]!.floats()
            let difference = zip(x, y).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
            let norm = x.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let relative = norm == 0 ? difference : difference / norm
            if relative > worst.0 { worst = (relative, name) }
        }
        return worst
    }

    /// The losses of every log line of both runs agree to `tolerance` (relative).
    private func assertLogsAgree(_ a: URL, _ b: URL, keys: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        func lines(_ run: URL) throws -> [[String: Any]] {
            try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n")
                .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        }
        let (one, two) = (try lines(a), try lines(b))
        XCTAssertEqual(one.count, two.count, file: file, line: line)
        for (x, y) in zip(one, two) {
            XCTAssertEqual(x["iteration"] as? Int, y["iteration"] as? Int, file: file, line: line)
            for key in keys {
                guard let u = x[key] as? Double, let v = y[key] as? Double else { continue }
                XCTAssertEqual(u, v, accuracy: 1e-5 * max(abs(u), 1), "\(key) at \(x["iteration"]!)", file: file, line: line)
            }
        }
    }

    /// The run `arguments` describe as one process and twice as two ranks; checks that the
    /// two 2-rank runs wrote the same checkpoint, bit for bit. Returns the first two runs.
    private func oneProcessAndTwoRanks(_ arguments: [String], named name: String) throws -> (one: URL, two: URL) {
        let one = corpus.root.appendingPathComponent("\(name)-one"), two = corpus.root.appendingPathComponent("\(name)-two")
        let again = corpus.root.appendingPathComponent("\(name)-again")
        let single = try TTURTextExecutable.run(arguments + ["--run", one.path])
        XCTAssertEqual(single.status, 0, single.standardError)
        for run in [two, again] {
            let ranks = try mpirun(2, arguments + ["--run", run.path])
            XCTAssertEqual(ranks.status, 0, ranks.standardError + ranks.standardOutput)
        }
        let (a, b) = (try checkpoint(two), try checkpoint(again))
        for (tensor, entry) in a.tensors { XCTAssertEqual(entry, b.tensors[tensor], tensor) }
        XCTAssertEqual(a.metadata["random_state"], b.metadata["random_state"])
        return (one, two)
    }

    func testTwoRanksComputeWhatOneProcessComputesForTheLanguageModel() throws {
        let (one, two) = try oneProcessAndTwoRanks(language, named: "language")
        let (difference, name) = largestDifference(try checkpoint(one), try checkpoint(two))
        // Measured: 1.7e-7 (Generator.Output.bias): fp32 sums split in two and added.
        XCTAssertLessThan(difference, 1e-5, name)
        try assertLogsAgree(one, two, keys: ["critic_loss", "gen_loss", "wasserstein", "gradient_penalty"])
        XCTAssertEqual(try checkpoint(two).metadata["random_state"], try checkpoint(one).metadata["random_state"])
    }

    func testTwoRanksComputeWhatOneProcessComputesForTheDCGAN() throws {
        let (one, two) = try oneProcessAndTwoRanks(image, named: "dcgan")
        // A bias directly before batch norm has a gradient of exactly zero in exact arithmetic
        // (the normalisation removes it), so Adam steps it by its normalised rounding noise, one
        // learning rate each time, whatever the ranks: its value (and the following running
        // mean) is noise in one process as in two. Every other tensor must agree.
        let a = try checkpoint(one)
        let norms = a.tensors.keys.filter { $0.hasSuffix("_norm.weight") }.map { String($0.dropLast("_norm.weight".count)) }
        let noise = Set(norms.flatMap { layer in
            ["\(layer).bias", "\(layer)_norm.running_mean"]
                + ["generator", "discriminator"].flatMap { ["adam.\($0).m.\(layer).bias", "adam.\($0).v.\(layer).bias"] }
        })
        XCTAssertTrue(noise.contains("discriminator.stage2.bias") && noise.contains("generator.input.bias"), "\(noise)")
        let (difference, name) = largestDifference(a, try checkpoint(two), excluded: noise)
        // Measured: 1.8e-7 (generator.stage1_norm.bias).
        XCTAssertLessThan(difference, 1e-5, name)
        try assertLogsAgree(one, two, keys: ["d_loss", "g_loss", "d_real", "d_fake"])
    }

    func testABatchThatDoesNotDivideIntoTheRanksIsAOneLineError() throws {
        let run = corpus.root.appendingPathComponent("odd")
        let result = try mpirun(2, language + ["--batch", "5", "--run", run.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("does not divide into 2 ranks"), result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("config.json").path))
    }

    /// `kill -9` of rank 1 mid-run: the job ends within 30 s, every checkpoint on disk loads,
    /// and one process resumes the run.
    func testAKilledRankEndsTheJobAndOneProcessResumes() throws {
        let run = corpus.root.appendingPathComponent("killed")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.mpirun)
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2", TTURTextExecutable.url.path,
                             "train", "--data", data.path, "--run", run.path, "--dim", "8", "--batch", "4", "--noise", "6",
                             "--eval-every", "1000", "--checkpoint-every", "4", "--ngram", "4", "--threads", "1",
                             "--iterations", "100000000"]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let checkpoints = run.appendingPathComponent("checkpoints")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline,
              ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []).filter({ $0.hasPrefix("iter-") && $0.hasSuffix(".safetensors") }).isEmpty {
            usleep(50_000)
        }
        usleep(200_000)
        let rank1 = try XCTUnwrap(Self.children(of: process.processIdentifier).first { pid in
            ((try? String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8)) ?? "")
                .split(separator: "\0").contains("OMPI_COMM_WORLD_RANK=1")
        }, "rank 1 not found")
        let killed = Date()
        kill(rank1, SIGKILL)
        process.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(killed), 30)
        XCTAssertNotEqual(process.terminationStatus, 0)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(message.contains("rank 1"), message)
        let files = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path)
        XCTAssertFalse(files.contains { $0.contains(".tmp-") }, "\(files)")
        for name in files { XCTAssertNoThrow(try SafeTensorsFile(contentsOf: checkpoints.appendingPathComponent(name)), name) }
        let resumed = try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path,
                                                  "--iterations", "12"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
    }

    private static func children(of parent: Int32) -> [Int32] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }
}
