import Foundation
import ImageGAN
import Layers
import Tensors
import TrainingRuns
import XCTest

/// The WGAN-GP image GAN's shape of an iteration, its schedules, its names, its sampling and
/// its per-sample penalty.
final class WGANImageGANTests: XCTestCase {
    private let shape = ResidualImageShape(imageSize: 32, channels: 1, dim: 2)

    func testSchedulesFollowThePapersTable() {
        let ttur = WGANImageSettings(schedule: .ttur), orig = WGANImageSettings(schedule: .orig)
        XCTAssertEqual(ttur.criticLearningRate, 3e-4)
        XCTAssertEqual(ttur.generatorLearningRate, 1e-4)
        XCTAssertEqual(ttur.criticSteps, 1)
        XCTAssertEqual(orig.criticLearningRate, 1e-4)
        XCTAssertEqual(orig.generatorLearningRate, 1e-4)
        XCTAssertEqual(orig.criticSteps, 5)
        let gan = WGANImageGAN(shape: shape, schedule: .orig, seed: 1)
        XCTAssertEqual(gan.criticOptimizer.beta1, 0)
        XCTAssertEqual(gan.criticOptimizer.beta2, 0.9)
        XCTAssertEqual(gan.generatorOptimizer.learningRate, 1e-4)
    }

    /// Iteration 0 skips the generator step; later ones take it first, then the critic steps,
    /// each on its own real batch.
    func testIterationTakesTheGeneratorStepAfterIterationZeroThenEveryCriticStep() {
        let gan = WGANImageGAN(shape: shape, schedule: .orig, seed: 2)
        var random = RandomSource(seed: 3)
        var batches = 0
        func next() -> Tensor {
            batches += 1
            return Tensor.randomUniform([3, 32, 32, 1], low: -1, high: 1, using: &random)
        }
        let first = gan.iteration(0, batch: 3, nextRealBatch: next)
        XCTAssertNil(first.generatorLoss)
        XCTAssertEqual(first.criticSteps.count, 5)
        XCTAssertEqual(batches, 5)
        XCTAssertEqual(gan.generatorOptimizer.step, 0)
        XCTAssertEqual(gan.criticOptimizer.step, 5)
        let second = gan.iteration(1, batch: 3, nextRealBatch: next)
        XCTAssertNotNil(second.generatorLoss)
        XCTAssertEqual(gan.generatorOptimizer.step, 1)
        XCTAssertEqual(gan.criticOptimizer.step, 10)
        XCTAssertTrue(second.criticSteps.allSatisfy { $0.loss.isFinite && $0.gradientPenalty >= 0 })
    }

    func testParameterNamesAndLayoutsAreTheReferences() {
        var random = RandomSource(seed: 4)
        let generator = ResidualImageGenerator(ResidualImageShape(imageSize: 64, channels: 3, dim: 2), random: &random)
        let critic = ResidualImageCritic(ResidualImageShape(imageSize: 64, channels: 3, dim: 2), random: &random)
        let g = generator.torchState(), d = critic.torchState()
        XCTAssertEqual(g["Generator.Input.weight"]?.shape, [4 * 4 * 8 * 2, 128])
        XCTAssertEqual(g["Generator.Res1.Conv1.weight"]?.shape, [16, 16, 3, 3])
        XCTAssertNil(g["Generator.Res1.Conv1.bias"])
        XCTAssertEqual(g["Generator.Res4.Shortcut.weight"]?.shape, [2, 4, 1, 1])
        XCTAssertEqual(g["Generator.OutputN.weight"]?.shape, [2])
        XCTAssertEqual(g["Generator.Output.weight"]?.shape, [3, 2, 3, 3])
        XCTAssertNil(g["Generator.Res1.BN1.running_mean"], "batch statistics only: no buffers")
        XCTAssertEqual(d["Discriminator.Input.weight"]?.shape, [2, 3, 3, 3])
        XCTAssertEqual(d["Discriminator.Res1.LN1.weight"]?.shape, [2])
        XCTAssertEqual(d["Discriminator.Res4.Conv2.weight"]?.shape, [16, 16, 3, 3])
        XCTAssertEqual(d["Discriminator.Output.weight"]?.shape, [1, 4 * 4 * 8 * 2])
        XCTAssertEqual(generator.namedParameters.count, 2 + 4 * 9 + 2 + 2)
        XCTAssertEqual(critic.namedParameters.count, 2 + 4 * 9 + 2)
    }

    func testGenerateReturnsCountImagesInTanhRange() {
        let gan = WGANImageGAN(shape: shape, schedule: .ttur, seed: 5)
        var random = RandomSource(seed: 6)
        let images = gan.generate(count: 5, batch: 4, using: &random)
        XCTAssertEqual(images.count, 5 * 32 * 32)
        XCTAssertTrue(images.allSatisfy { $0 >= -1 && $0 <= 1 }, "tanh outputs (±1 where float32 saturates)")
    }

    /// The batch penalty is the mean of per-sample penalties (each sample its own norm).
    func testImagePenaltyIsTheMeanOfPerSamplePenalties() {
        var random = RandomSource(seed: 7)
        let critic = ResidualImageCritic(shape, random: &random)
        let x = Tensor.randomUniform([3, 32, 32, 1], low: -1, high: 1, using: &random)
        let batch = WassersteinGradientPenalty.penalty(critic: critic.callAsFunction, at: x).item
        let single = (0..<3).map { WassersteinGradientPenalty.penalty(critic: critic.callAsFunction, at: x.slice($0..<($0 + 1))).item }
        XCTAssertEqual(Double(batch), single.map(Double.init).reduce(0, +) / 3, accuracy: 1e-5)
        XCTAssertGreaterThan((single.max() ?? 0) - (single.min() ?? 0), 1e-4)
    }

    func testInterpolatesBroadcastAlphaOverEverySampleAxis() {
        let real = Tensor.zeros([2, 2, 2, 1]), fake = Tensor.ones([2, 2, 2, 1])
        let x = WassersteinGradientPenalty.interpolates(real: real, fake: fake, alpha: Tensor([0.25, 0.75], shape: [2]))
        XCTAssertEqual(x.scalars, [Float](repeating: 0.25, count: 4) + [Float](repeating: 0.75, count: 4))
    }

    /// An image run's configuration names its GAN as the checkpoints do, and one of another
    /// kind is refused; a configuration without the name (older runs) still reads.
    func testConfigurationNamesTheGAN() throws {
        let configuration = WGANImageConfiguration(run: RunSettings(), gan: ImageGANSettings(network: WGANImageSettings()))
        let data = try JSONEncoder().encode(configuration)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["gan"] as? String, "wgan-gp-image")
        XCTAssertEqual(try JSONDecoder().decode(WGANImageConfiguration.self, from: data), configuration)
        XCTAssertThrowsError(try JSONDecoder().decode(DCGANConfiguration.self, from: data))
        var older = object
        older["gan"] = nil
        XCTAssertEqual(try JSONDecoder().decode(WGANImageConfiguration.self, from: JSONSerialization.data(withJSONObject: older)),
                       configuration)
    }
}
