@testable import Corpus
import FID
import Foundation
import LanguageGAN
import Tensors
import XCTest
import _TestSupport

/// Seeded random-mutation fuzzing of every binary reader: valid files with bytes flipped,
/// ranges zeroed or filled with garbage, pieces cut out or appended, and truncations. Each
/// reader must return a value or throw its error: a crash or a hang fails the suite.
///
/// `TTUR_FUZZ_CASES` (default 150 per reader) sets the number of mutants; `make fuzz` runs
/// a long campaign.
final class MutationFuzzTests: XCTestCase {
    static let cases = Int(ProcessInfo.processInfo.environment["TTUR_FUZZ_CASES"] ?? "") ?? 150

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// One mutant of `seed`.
    static func mutate(_ seed: Data, using random: inout RandomSource) -> Data {
        var bytes = [UInt8](seed)
        let operations = 1 + random.nextInt(below: 4)
        for _ in 0..<operations {
            if bytes.isEmpty { bytes = [UInt8(random.nextInt(below: 256))]; continue }
            let position = random.nextInt(below: bytes.count)
            switch random.nextInt(below: 6) {
            case 0:  // flip bits
                bytes[position] ^= UInt8(1 + random.nextInt(below: 255))
            case 1:  // truncate
                bytes.removeSubrange(position...)
            case 2:  // zero a range
                let end = min(bytes.count, position + 1 + random.nextInt(below: 64))
                for i in position..<end { bytes[i] = 0 }
            case 3:  // garbage over a range
                let end = min(bytes.count, position + 1 + random.nextInt(below: 64))
                for i in position..<end { bytes[i] = UInt8(random.nextInt(below: 256)) }
            case 4:  // cut a piece out
                let end = min(bytes.count, position + 1 + random.nextInt(below: 256))
                bytes.removeSubrange(position..<end)
            default:  // large integers where lengths and offsets live
                let value: [UInt8] = [0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF]
                for (i, byte) in value.enumerated() where position + i < bytes.count { bytes[position + i] = byte }
            }
        }
        return Data(bytes)
    }

    /// Runs `read` on `cases` mutants of `seed` written to `name`; returns how many it accepted.
    @discardableResult
    private func fuzz(_ name: String, seed: Data, seedValue: UInt64, _ read: (URL) throws -> Void) throws -> Int {
        var random = RandomSource(seed: seedValue)
        let file = directory.appendingPathComponent(name)
        var accepted = 0
        var slowest = 0.0
        for _ in 0..<Self.cases {
            try Self.mutate(seed, using: &random).write(to: file)
            let start = Date()
            do { try read(file); accepted += 1 } catch {}
            slowest = max(slowest, Date().timeIntervalSince(start))
        }
        // A mutant that sends a reader into a long loop shows up as one slow read (the seeds
        // read in milliseconds).
        XCTAssertLessThan(slowest, 5, "\(name): one mutant took \(slowest) s to read")
        return accepted
    }

    func testSafeTensorsReader() throws {
        let seed = try Data(contentsOf: SharedData.require("fixtures/wgan_language_step.safetensors"))
        try fuzz("fuzz.safetensors", seed: seed, seedValue: 1) { url in
            let file = try SafeTensorsFile(contentsOf: url)
            for entry in file.tensors.values { _ = entry.floats() }
        }
    }

    func testTorchCheckpointReaderBothContainers() throws {
        for (index, name) in ["loader_zip.pth", "loader_legacy.pth"].enumerated() {
            let seed = try Data(contentsOf: SharedData.require("fixtures/fid/\(name)"))
            try fuzz(name, seed: seed, seedValue: 2 + UInt64(index)) { url in _ = try TorchCheckpoint(contentsOf: url) }
        }
    }

    func testNumpyArchiveAndArrayReaders() throws {
        let seedFile = directory.appendingPathComponent("seed.npz")
        var random = RandomSource(seed: 4)
        let mean = (0..<8).map { _ in random.nextNormal() }
        let covariance = (0..<64).map { _ in random.nextNormal() }
        try FeatureStatistics(mean: mean, covariance: covariance, sampleCount: 10).write(to: seedFile)
        try fuzz("fuzz.npz", seed: try Data(contentsOf: seedFile), seedValue: 5) { url in
            _ = try FeatureStatistics(contentsOf: url)
        }
        let npy = try Data(contentsOf: SharedData.require("fixtures/fid/images.npy"))
        try fuzz("fuzz.npy", seed: npy.prefix(4096) + npy.suffix(0), seedValue: 6) { url in
            _ = try NumpyArray(npy: try Data(contentsOf: url))
        }
    }

    func testZstdShardReader() throws {
        let seed = try Data(contentsOf: SharedData.require(
            "corpora/billion-word-sample/training-monolingual.tokenized.shuffled/news.en-00001-of-00100.zst"))
        // A shorter seed keeps each mutant quick to decompress; the frame header and the first
        // blocks are where the interesting bytes are.
        try fuzz("news.en-00001-of-00100.zst", seed: seed.prefix(16_384), seedValue: 7) { url in
            let stream = try ShardStream(path: url.path)
            while try stream.next() != nil {}
        }
    }

    func testLanguageCheckpointReader() throws {
        // A real (tiny) checkpoint as the seed.
        var configuration = TrainingConfiguration()
        configuration.dim = 4
        configuration.noise = 3
        configuration.residualBlocks = 1
        configuration.sequenceLength = 4
        configuration.vocabularySize = 5
        let state = LanguageGANState(configuration: configuration)
        let seedFile = directory.appendingPathComponent("seed.safetensors")
        try Checkpoint.save(state, configuration: configuration, progress: .init(iteration: 3, elapsedSeconds: 1),
                            to: seedFile)
        try fuzz("fuzz-checkpoint.safetensors", seed: try Data(contentsOf: seedFile), seedValue: 8) { url in
            _ = try Checkpoint.load(url)
        }
    }
}
