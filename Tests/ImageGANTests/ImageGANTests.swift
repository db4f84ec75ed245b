import Foundation
import ImageGAN
import Layers
import Tensors
import TrainingRuns
import XCTest
import _TestSupport

/// Images whose class is which half of the picture is bright, plus noise: learnable in one
/// epoch by a working classifier, not by a broken one.
struct SyntheticImages: TrainingImages {
    let name = "synthetic halves"
    let count: Int
    let side: Int
    let channels: Int
    let pixels: [Float]
    let labels: [UInt8]?

    init(count: Int, side: Int = 16, channels: Int = 1, seed: UInt64) {
        var random = RandomSource(seed: seed)
        var pixels: [Float] = []
        var labels: [UInt8] = []
        for _ in 0..<count {
            let label = random.nextInt(below: 2)
            labels.append(UInt8(label))
            for _ in 0..<side {
                for x in 0..<side {
                    let bright = (x < side / 2) == (label == 0)
                    for _ in 0..<channels { pixels.append((bright ? 0.6 : -0.6) + Float(random.nextNormal()) * 0.3) }
                }
            }
        }
        self.count = count
        self.side = side
        self.channels = channels
        self.pixels = pixels
        self.labels = labels
    }

    func batch(indices: [Int], size: Int) -> [Float] {
        precondition(size == side)
        let per = side * side * channels
        return indices.flatMap { pixels[($0 * per)..<(($0 + 1) * per)] }
    }
}

final class DCGANModelTests: XCTestCase {
    func testShapesFollowTheImageSize() {
        for (size, channels, stages) in [(32, 1, 3), (16, 3, 2), (64, 3, 4)] {
            let shape = DCGANShape(imageSize: size, channels: channels, generatorWidth: 4, discriminatorWidth: 4)
            XCTAssertTrue(shape.isValid)
            XCTAssertEqual(shape.stages, stages)
            var random = RandomSource(seed: 4)
            let generator = DCGANGenerator(shape, random: &random)
            let discriminator = DCGANDiscriminator(shape, random: &random)
            let images = generator(Tensor.randomUniform([3, 100], low: -1, high: 1, using: &random))
            XCTAssertEqual(images.shape, [3, size, size, channels])
            XCTAssertTrue(images.scalars.allSatisfy { $0 > -1 && $0 < 1 })
            XCTAssertEqual(discriminator(images).shape, [3, 1])
            XCTAssertEqual(generator.stages.count, stages)
            XCTAssertEqual(discriminator.namedBuffers.count, 2 * (stages - 1))
        }
        XCTAssertFalse(DCGANShape(imageSize: 28).isValid)
        XCTAssertFalse(DCGANShape(imageSize: 32, channels: 2).isValid)
    }

    /// The checkpoint's weights are in PyTorch's layouts: a transposed convolution's weight is
    /// [in, out, k, k] and a convolution's [out, in, k, k].
    func testPyTorchLayouts() {
        var random = RandomSource(seed: 5)
        let shape = DCGANShape(imageSize: 16, channels: 3, generatorWidth: 4, discriminatorWidth: 6)
        let g = DCGANGenerator(shape, random: &random).torchState()
        XCTAssertEqual(g["generator.stage1.weight"]?.shape, [8, 4, 5, 5])
        XCTAssertEqual(g["generator.stage2.weight"]?.shape, [4, 3, 5, 5])
        XCTAssertEqual(g["generator.input.weight"]?.shape, [128, 100])
        XCTAssertEqual(g["generator.input_norm.running_var"]?.shape, [8])
        let d = DCGANDiscriminator(shape, random: &random).torchState()
        XCTAssertEqual(d["discriminator.stage1.weight"]?.shape, [6, 3, 5, 5])
        XCTAssertEqual(d["discriminator.output.weight"]?.shape, [1, 16 * 12])
    }
}

final class ImageTrainingTests: XCTestCase {
    private func configuration() -> DCGANConfiguration {
        var c = DCGANConfiguration(run: RunSettings(), gan: ImageGANSettings(network: DCGANSettings()))
        c.gan.model = DCGANShape(imageSize: 16, channels: 1, noise: 8, generatorWidth: 4, discriminatorWidth: 4)
        c.run.batch = 8
        c.run.iterations = 6
        c.run.evalEvery = 3
        c.gan.evaluation.fidSamples = 40
        c.gan.evaluation.fidRealSamples = 60
        c.run.checkpointEvery = 3
        c.gan.evaluation.gridImages = 9
        c.run.threads = 1
        c.run.seed = 11
        return c
    }

    private func monitor(_ data: TrainingImages, in directory: URL) throws -> FIDMonitor {
        var random = RandomSource(seed: 6)
        let classifier = FeatureClassifier(.init(imageSize: 16, channels: 1, classes: 2, width: 4, featureCount: 8),
                                           random: &random)
        let weights = directory.appendingPathComponent("classifier.safetensors")
        try FeatureClassifierFile.save(classifier, dataset: data.name, testAccuracy: 0.5, to: weights)
        return try FIDMonitor(network: try ClassifierFeatureNetwork(weights: weights), data: data, size: 16,
                              realSamples: 60, cacheDirectory: directory.appendingPathComponent("cache"))
    }

    func testTrainingWritesLogGridsAndCheckpointsAndResumesExactly() throws {
        let directory = try TemporaryDirectory()
        let data = SyntheticImages(count: 100, seed: 7)
        let fid = try monitor(data, in: directory.url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("cache").path).count, 1)

        let straight = Trainer<DCGAN>.runDirectory(directory.url.appendingPathComponent("straight"))
        let trainer = try Trainer<DCGAN>(configuration: configuration(), run: straight,
                                         context: ImageTrainingData(images: data, fid: fid))
        XCTAssertEqual(try trainer.train(), .finished(iteration: 6))
        let lines = try String(contentsOf: straight.log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)   // iterations 0, 3, 6
        let last = try JSONDecoder().decode(ImageLogEntry.self, from: Data(lines.last!.utf8))
        XCTAssertEqual(last.iteration, 6)
        XCTAssertNotNil(last.discriminatorLoss)
        XCTAssertTrue(last.fid["classifier"].map { $0.isFinite && $0 >= 0 } ?? false)
        XCTAssertEqual(straight.sampleFiles().map(\.iteration), [0, 3, 6])
        let png = try Data(contentsOf: straight.samples(iteration: 6))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(straight.checkpointFiles().map(\.iteration), [3, 6])

        // Stop at 3, resume to 6: the same parameters, optimiser state and batch-norm buffers.
        let split = Trainer<DCGAN>.runDirectory(directory.url.appendingPathComponent("split"))
        var c = configuration()
        c.run.iterations = 3
        _ = try Trainer<DCGAN>(configuration: c, run: split, context: ImageTrainingData(images: data, fid: fid)).train()
        let resumed = try Trainer<DCGAN>(resuming: split, iterations: 6) { _ in ImageTrainingData(images: data, fid: fid) }
        XCTAssertEqual(try resumed.train(), .finished(iteration: 6))
        XCTAssertEqual(resumed.gan.state.generator.torchState().mapValues(\.values),
                       trainer.gan.state.generator.torchState().mapValues(\.values))
        XCTAssertEqual(resumed.gan.state.discriminator.torchState().mapValues(\.values),
                       trainer.gan.state.discriminator.torchState().mapValues(\.values))
        XCTAssertEqual(try String(contentsOf: split.log, encoding: .utf8).split(separator: "\n").count, 3)
        let checkpoint = try GANCheckpoint.open(split.checkpointFiles().last!.url)
        let loaded = DCGANState(configuration: try checkpoint.configuration(of: DCGAN.self))
        let progress = try checkpoint.restore(loaded)
        XCTAssertEqual(progress.iteration, 6)
        XCTAssertEqual(loaded.random, trainer.gan.state.random)
        XCTAssertEqual(loaded.generatorOptimizer.step, 6)
    }

    func testForeignAndTruncatedCheckpointsAreRejected() throws {
        let directory = try TemporaryDirectory()
        let run = Trainer<DCGAN>.runDirectory(directory.url.appendingPathComponent("run"))
        var c = configuration()
        c.run.iterations = 3
        c.run.evalEvery = 100
        _ = try Trainer<DCGAN>(configuration: c, run: run,
                               context: ImageTrainingData(images: SyntheticImages(count: 20, seed: 8), fid: nil)).train()
        let file = run.checkpointFiles().last!.url
        let bytes = try Data(contentsOf: file)
        let cut = directory.url.appendingPathComponent("cut.safetensors")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        XCTAssertThrowsError(try GANCheckpoint.open(cut)) { error in
            XCTAssertTrue("\(error)".hasPrefix(cut.path), "\(error)")
        }
        XCTAssertThrowsError(try Trainer<DCGAN>(resuming: run) { _ in
            ImageTrainingData(images: SyntheticImages(count: 20, channels: 3, seed: 8), fid: nil)
        }) { error in
            XCTAssertTrue("\(error)".contains("channel"), "\(error)")
        }
    }

    func testClassifierLearnsASeparableTask() throws {
        var options = ClassifierTraining.Options()
        options.epochs = 1
        options.batch = 16
        options.imageSize = 16
        options.threads = 1
        let (classifier, accuracy) = try ClassifierTraining.train(
            on: SyntheticImages(count: 320, seed: 9), test: SyntheticImages(count: 200, seed: 10), options: options)
        XCTAssertGreaterThan(accuracy, 0.95)
        XCTAssertEqual(classifier.shape.classes, 2)
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("c.safetensors")
        try FeatureClassifierFile.save(classifier, dataset: "synthetic", testAccuracy: accuracy, to: url)
        let (loaded, metadata, _) = try FeatureClassifierFile.load(url)
        XCTAssertEqual(loaded.torchState().mapValues(\.values), classifier.torchState().mapValues(\.values))
        XCTAssertEqual(metadata["dataset"], "synthetic")
    }
}
