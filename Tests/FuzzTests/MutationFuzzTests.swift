@testable import Corpus
import CZlibShim
import FID
import Foundation
import ImageData
import LanguageGAN
import NGrams
import Tensors
import TrainingRuns
import XCTest
import _TestSupport
@testable import ttur_fuzz

/// Seeded random-mutation fuzzing of every binary reader: valid files with bytes flipped,
/// ranges zeroed or filled with garbage, pieces cut out or appended, and truncations. Each
/// reader must return a value or throw its error: a crash or a hang fails the suite, and so
/// does a value it accepted that breaks the reader's own promises (sizes that disagree with
/// shapes, a covariance that is not d × d, a restored state that differs from the file).
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
    /// With `file`, mutants are written there (a file read beside others) instead of to `name`.
    @discardableResult
    private func fuzz(_ name: String, seed: Data, seedValue: UInt64, at file: URL? = nil,
                      _ read: (URL) throws -> Void) throws -> Int {
        var random = RandomSource(seed: seedValue)
        let file = file ?? directory.appendingPathComponent(name)
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
        print("\(name): \(Self.cases) mutants, \(accepted) accepted, \(Self.cases - accepted) rejected with an error, slowest \(String(format: "%.3f", slowest)) s")
        return accepted
    }

    /// The formats ttur-text reads back from itself (the n-gram store's table images and
    /// blocks, a dataset's manifest and sentences, config.json, experiment.json, event
    /// files): the libFuzzer targets' own readers and set-ups, each mutant written in place
    /// beside the untouched siblings.
    func testReadersOfWhatTTURTextWritesItself() throws {
        let targets = FuzzTarget.all.filter { $0.setup != nil }
        XCTAssertEqual(targets.map(\.name), ["ngram-store", "dataset-manifest", "dataset-tokens", "run-config", "experiment", "events"])
        for (index, target) in targets.enumerated() {
            let runner = FuzzRunner(target: target)
            defer { try? FileManager.default.removeItem(at: runner.file.deletingLastPathComponent()) }
            let seed = try runner.setUpFile()
            XCTAssertNil(seed.withUnsafeBytes { runner.run($0) }, "\(target.name): its own valid file is refused")
            try fuzz(target.name, seed: seed, seedValue: 100 + UInt64(index), at: runner.file, target.read)
        }
    }

    /// A damaged n-gram store is refused or scores exactly as the intact one: a mutant the
    /// reader accepts changed only bytes SQLite never reads (2,000 mutants: 764 accepted, all
    /// with the seed's JSD), never a count.
    func testAnAcceptedStoreMutantScoresAsTheIntactStore() throws {
        let runner = FuzzRunner(target: try XCTUnwrap(FuzzTarget.named("ngram-store")))
        defer { try? FileManager.default.removeItem(at: runner.file.deletingLastPathComponent()) }
        let seed = try runner.setUpFile()
        let intact = try NGramStore(path: runner.file)
        let ids = (0 ..< 8).map { TokenID($0 % intact.vocabularySize) }
        let samples = [ids, Array(ids.reversed()), ids.map { $0 / 2 }]
        let expected = try intact.jsd(samples: samples, maxN: intact.maxN)
        let accepted = try fuzz("ngrams.sqlite (scores)", seed: seed, seedValue: 200, at: runner.file) { url in
            let store = try NGramStore(path: url)
            XCTAssertEqual(try store.jsd(samples: samples, maxN: store.maxN), expected, "an accepted mutant scores differently")
        }
        XCTAssertGreaterThan(accepted, 0, "no mutant was accepted: the check above never ran")
    }

    func testSafeTensorsReader() throws {
        let seed = try Data(contentsOf: SharedData.require("fixtures/wgan_language_step.safetensors"))
        try fuzz("fuzz.safetensors", seed: seed, seedValue: 1) { url in
            let file = try SafeTensorsFile(contentsOf: url)
            for (name, entry) in file.tensors {
                XCTAssertEqual(entry.data.count, entry.count * entry.dtype.byteCount, "\(name): bytes for its shape")
                if entry.dtype == .float32 { XCTAssertEqual(entry.floats().count, entry.count, name) }
            }
        }
    }

    func testTorchCheckpointReaderBothContainers() throws {
        for (index, name) in ["loader_zip.pth", "loader_legacy.pth"].enumerated() {
            let seed = try Data(contentsOf: SharedData.require("fixtures/fid/\(name)"))
            try fuzz(name, seed: seed, seedValue: 2 + UInt64(index)) { url in
                let checkpoint = try TorchCheckpoint(contentsOf: url)
                XCTAssertEqual(Set(checkpoint.names), Set(checkpoint.tensors.keys), "names and tensors agree")
                for (name, entry) in checkpoint.tensors {
                    XCTAssertEqual(entry.data.count, entry.count * entry.dtype.byteCount, "\(name): bytes for its shape")
                }
            }
        }
    }

    func testNumpyArchiveAndArrayReaders() throws {
        let seedFile = directory.appendingPathComponent("seed.npz")
        var random = RandomSource(seed: 4)
        let mean = (0..<8).map { _ in random.nextNormal() }
        let covariance = (0..<64).map { _ in random.nextNormal() }
        try FeatureStatistics(mean: mean, covariance: covariance, sampleCount: 10).write(to: seedFile)
        try fuzz("fuzz.npz", seed: try Data(contentsOf: seedFile), seedValue: 5) { url in
            let statistics = try FeatureStatistics(contentsOf: url)
            XCTAssertEqual(statistics.covariance.count, statistics.dimensions * statistics.dimensions, "covariance d × d")
        }
        let npy = try Data(contentsOf: SharedData.require("fixtures/fid/images.npy"))
        try fuzz("fuzz.npy", seed: npy.prefix(4096) + npy.suffix(0), seedValue: 6) { url in
            let array = try NumpyArray(npy: try Data(contentsOf: url))
            XCTAssertTrue(array.shape.allSatisfy { $0 >= 0 }, "shape \(array.shape)")
            // The seed's element type, 1-byte images: each element one byte.
            if array.descr == "|u1" {
                XCTAssertEqual(array.data.count, array.shape.reduce(1, *), "bytes for shape \(array.shape)")
            }
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
        var configuration = LanguageConfiguration(run: RunSettings(), gan: LanguageSettings())
        configuration.gan.dim = 4
        configuration.gan.noise = 3
        configuration.gan.residualBlocks = 1
        configuration.gan.sequenceLength = 4
        configuration.gan.vocabularySize = 5
        let state = LanguageGANState(configuration: configuration)
        let seedFile = directory.appendingPathComponent("seed.safetensors")
        try GANCheckpoint.save(state, kind: LanguageWGAN.kind, configuration: configuration,
                               progress: .init(iteration: 3, elapsedSeconds: 1), to: seedFile)
        try fuzz("fuzz-checkpoint.safetensors", seed: try Data(contentsOf: seedFile), seedValue: 8) { url in
            let checkpoint = try GANCheckpoint.open(url)
            let state = LanguageGANState(configuration: try checkpoint.configuration(of: LanguageWGAN.self))
            let progress = try checkpoint.restore(state)
            XCTAssertGreaterThanOrEqual(progress.iteration, 0)
            XCTAssertTrue(progress.elapsedSeconds.isFinite)
            // What was restored is what the file holds.
            for trained in state.networks {
                for (name, value) in trained.network.torchState() {
                    XCTAssertEqual(value.values, checkpoint.file.tensors[name]?.floats(), "\(trained.role) \(name)")
                }
            }
        }
    }

    /// An IDX file of `count` 8×8 images or labels.
    private static func idx(labels: Bool, count: Int) -> Data {
        let dims = labels ? [count] : [count, 8, 8]
        var data = Data([0, 0, 8, UInt8(dims.count)])
        for value in dims { data += [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let size = dims.reduce(1, *)
        return data + (0..<size).map { UInt8(truncatingIfNeeded: labels ? $0 % 10 : $0 &* 37) }
    }

    private func gzip(_ data: Data) throws -> Data {
        let url = directory.appendingPathComponent("seed.gz")
        let file = try XCTUnwrap(gzopen(url.path, "wb"))
        let written = data.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        XCTAssertEqual(gzclose(file), Z_OK)
        XCTAssertEqual(written, Int32(data.count))
        return try Data(contentsOf: url)
    }

    /// An accepted IDX image file: its pixels are count × height × width.
    private static func check(_ images: (count: Int, height: Int, width: Int, pixels: [UInt8])) {
        XCTAssertEqual(images.pixels.count, images.count * images.height * images.width, "pixels for the images")
    }

    /// An accepted image: width × height RGB pixels.
    private static func check(_ image: RGBImage) {
        XCTAssertTrue(image.width > 0 && image.height > 0, "\(image.width)×\(image.height)")
        XCTAssertEqual(image.pixels.count, image.width * image.height * 3, "pixels for \(image.width)×\(image.height)")
    }

    func testIDXReaderPlainAndGzip() throws {
        let images = Self.idx(labels: false, count: 40), labels = Self.idx(labels: true, count: 40)
        try fuzz("fuzz-images-idx3-ubyte", seed: images, seedValue: 9) { url in Self.check(try IDX.readImages(url)) }
        try fuzz("fuzz-labels-idx1-ubyte", seed: labels, seedValue: 10) { url in _ = try IDX.readLabels(url) }
        try fuzz("fuzz-images-idx3-ubyte.gz", seed: try gzip(images), seedValue: 11) { url in Self.check(try IDX.readImages(url)) }
        // Mutated, then compressed: the IDX checks on the streamed (decompressed) path.
        let compressed = directory.appendingPathComponent("mutant.gz")
        try fuzz("fuzz-images-idx3-ubyte (gzipped after mutation)", seed: images, seedValue: 16) { url in
            try gzip(try Data(contentsOf: url)).write(to: compressed)
            Self.check(try IDX.readImages(compressed))
        }
        // Labels mutated against good images: counts and class checks.
        let goodImages = directory.appendingPathComponent("good-images.gz")
        try gzip(images).write(to: goodImages)
        try fuzz("fuzz-labels-idx1-ubyte.gz", seed: try gzip(labels), seedValue: 12) { url in
            let data = try IDX.load(images: goodImages, labels: url)
            XCTAssertEqual(data.labels?.count, data.count, "one label per image")
            XCTAssertTrue(data.labels?.allSatisfy { Int($0) < data.classCount } ?? false, "labels below the class count")
        }
    }

    func testCIFAR10Reader() throws {
        var seed = Data()
        for record in 0..<3 {
            seed.append(UInt8(record * 4))
            seed += (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ record) }
        }
        try fuzz("test_batch.bin", seed: seed, seedValue: 13) { url in
            let data = try CIFAR10.load(files: [url], name: "fuzz")
            XCTAssertEqual(data.pixels.count, data.count * data.imageByteCount, "pixels for the images")
            XCTAssertEqual(data.batch(indices: Array(data.indices), size: 32).count, data.count * 32 * 32 * data.channels)
        }
    }

    func testPNGAndJPEGDecoders() throws {
        let pixels = (0..<(12 * 9 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 11) }
        let png = try RGBImage(width: 12, height: 9, pixels: pixels).pngData()
        try fuzz("fuzz.png", seed: png, seedValue: 14) { url in Self.check(try RGBImage(contentsOf: url)) }
        // An 8×8 JPEG written by PIL (the FID tests' fixture).
        let jpeg = try XCTUnwrap(Data(base64Encoded: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wAARCAAIAAgDAREAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD0r46fFP8A4WR/Zf8AxIvsX2Lz/wDl68zfv8v/AGVxjb79a/IvDvwj/wBSPrX+2+29tyf8u+S3Jz/9PJXvzeVrdbl5n4jf8SWcn+y/2r/at/t/VfZfVbf3MRz8/wBY/ucvJ9rm93//2Q=="))
        try fuzz("fuzz.jpg", seed: jpeg, seedValue: 15) { url in Self.check(try RGBImage(contentsOf: url)) }
    }
}
