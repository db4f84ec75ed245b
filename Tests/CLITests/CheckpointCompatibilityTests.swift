import Foundation
import Tensors
import XCTest
import _TestSupport

/// Round 1's checkpoints (one of each kind, committed under `Tests/Fixtures/`) resume with
/// today's code, and the next checkpoint comes out bit for bit as round 1's code wrote it.
///
/// Bit for bit needs the same GEMM kernels: OpenBLAS picks them by CPU (Zen, SkylakeX, …) and
/// each blocks its sums differently, so the fixtures were written with `OPENBLAS_CORETYPE=Haswell`
/// (AVX2 + FMA, on every x86-64 CPU since 2013) and the resumed runs use the same
/// (`scripts/round1-fixtures.sh` rewrites them with round 1's binary).
final class CheckpointCompatibilityTests: XCTestCase {
    private static let kernels = ["OPENBLAS_CORETYPE": "Haswell"]

    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The fixture run with only its iteration-2 checkpoint, in a temporary directory.
    private func copyRun(_ name: String, into directory: URL) throws -> URL {
        let source = Self.fixtures.appendingPathComponent(name)
        let run = directory.appendingPathComponent(name)
        let checkpoints = run.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        for file in ["config.json", "log.jsonl", "checkpoints/iter-00000002.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: run.appendingPathComponent(file))
        }
        return run
    }

    /// Every tensor and the random stream of the resumed iteration-3 checkpoint against round 1's.
    private func assertMatchesRoundOne(_ run: URL, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try SafeTensorsFile(contentsOf: Self.fixtures.appendingPathComponent("\(name)/checkpoints/iter-00000003.safetensors"))
        let actual = try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/iter-00000003.safetensors"))
        XCTAssertEqual(Set(actual.tensors.keys), Set(expected.tensors.keys), file: file, line: line)
        for (tensor, entry) in expected.tensors {
            XCTAssertEqual(actual.tensors[tensor], entry, "\(tensor) differs from round 1's", file: file, line: line)
        }
        for key in ["random_state", "iteration", "adam_step_generator"] {
            XCTAssertEqual(actual.metadata[key], expected.metadata[key], key, file: file, line: line)
        }
        XCTAssertEqual(actual.metadata["format"], "ttur-text gan checkpoint 2", file: file, line: line)
    }

    func testRoundOneLanguageCheckpointResumesBitForBit() throws {
        let corpus = try TemporaryCorpus()
        let data = try WordCorpus.prepare(in: corpus)
        let run = try copyRun("round1-language-run", into: corpus.root)
        let result = try TTURTextExecutable.run(["train", "--resume", "--run", run.path, "--data", data.path,
                                                 "--iterations", "3"], environment: Self.kernels)
        XCTAssertEqual(result.status, 0, result.standardError)
        try assertMatchesRoundOne(run, "round1-language-run")
        let sampled = try TTURTextExecutable.run(["sample", "--run", run.path, "--data", data.path, "-n", "2"])
        XCTAssertEqual(sampled.status, 0, sampled.standardError)
    }

    func testRoundOneImageCheckpointResumesBitForBit() throws {
        let directory = try TemporaryDirectory(prefix: "ttur-compat")
        let run = try copyRun("round1-image-run", into: directory.url)
        let result = try TTURTextExecutable.run(["image", "train", "--resume", "--run", run.path, "--iterations", "3"],
                                                environment: Self.kernels)
        XCTAssertEqual(result.status, 0, result.standardError)
        try assertMatchesRoundOne(run, "round1-image-run")
        let grid = directory.url.appendingPathComponent("grid.png")
        let sampled = try TTURTextExecutable.run(["image", "sample", "--run", run.path, "-n", "4", "--out", grid.path])
        XCTAssertEqual(sampled.status, 0, sampled.standardError)
    }
}
