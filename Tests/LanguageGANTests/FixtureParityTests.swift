import Foundation
import Layers
import LanguageGAN
import Tensors
import XCTest
import _TestSupport

/// Parity with ../shared/fixtures/wgan_language_step.safetensors, written by
/// ../shared/reference/wgan_language_torch.py in float64: one critic step then one generator
/// step (against the updated critic) must reproduce its losses, every gradient and every
/// Adam-updated weight to ≤ 1e-4 relative error (max |ours − theirs| / max |theirs| per tensor).
final class FixtureParityTests: XCTestCase {
    static let tolerance = 1e-4

    private var fixture: SafeTensorsFile!

    override func setUpWithError() throws {
        fixture = try SafeTensorsFile(contentsOf: SharedData.require("fixtures/wgan_language_step.safetensors"))
    }

    private func values(_ name: String) throws -> [Float] {
        guard let entry = fixture.tensors[name] else { throw XCTSkip("fixture lacks \(name)") }
        return entry.floats()
    }

    private func metadata(_ key: String) throws -> Double {
        try XCTUnwrap(fixture.metadata[key].flatMap(Double.init), "fixture metadata lacks \(key)")
    }

    private func state(_ prefix: String) -> TorchState {
        var state: TorchState = [:]
        for (name, entry) in fixture.tensors where name.hasPrefix(prefix) {
            state[String(name.dropFirst(prefix.count))] = (entry.shape, entry.floats())
        }
        return state
    }

    private func assertClose(_ ours: [Float], _ theirs: [Float], _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.count, theirs.count, what, file: file, line: line)
        let scale = theirs.map { abs(Double($0)) }.max() ?? 0
        let error = zip(ours, theirs).map { abs(Double($0) - Double($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(error / max(scale, 1e-30), Self.tolerance,
                                 "\(what): max error \(error) against scale \(scale)", file: file, line: line)
    }

    private func assertClose(_ ours: Double, _ theirs: Double, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(ours - theirs) / max(abs(theirs), 1e-30), Self.tolerance,
                                 "\(what): \(ours) vs \(theirs)", file: file, line: line)
    }

    func testOneCriticStepAndOneGeneratorStepMatchPyTorch() throws {
        let dim = Int(try metadata("dim")), seq = Int(try metadata("seq"))
        let vocab = Int(try metadata("vocab")), batch = Int(try metadata("batch"))
        let shape = LanguageModelShape(dim: dim, sequenceLength: seq, vocabularySize: vocab,
                                       noise: Int(try metadata("noise")))
        var random = RandomSource(seed: 0)
        let generator = LanguageGenerator(shape, random: &random), critic = LanguageCritic(shape, random: &random)
        try generator.load(torchState: state("init/"))
        try critic.load(torchState: state("init/"))

        let ids = try values("input/real_ids").map { Int($0) }
        let real = Tensor.oneHot(ids, shape: [batch, seq], depth: vocab)
        let criticNoise = Tensor(try values("input/z_critic"), shape: [batch, shape.noise])
        let generatorNoise = Tensor(try values("input/z_gen"), shape: [batch, shape.noise])
        let alpha = Tensor(try values("input/alpha"), shape: [batch])

        // Critic step.
        let step = WGANGP.criticStep(generator: generator, critic: critic, real: real, noise: criticNoise,
                                     alpha: alpha, lambda: Float(try metadata("gp_lambda")))
        assertClose(step.fake.scalars, try values("critic/fake"), "critic/fake")
        assertClose(step.criticReal.scalars, try values("critic/d_real"), "critic/d_real")
        assertClose(step.criticFake.scalars, try values("critic/d_fake"), "critic/d_fake")
        assertClose(step.wasserstein, try metadata("wdist"), "wasserstein distance")
        assertClose(step.gradientPenalty, try metadata("gp"), "gradient penalty")
        assertClose(step.loss, try metadata("critic_loss"), "critic loss")
        for (parameter, gradient) in zip(critic.namedParameters, step.gradients) {
            assertClose(parameter.layout.toTorch(gradient.scalars), try values("critic_grad/" + parameter.name),
                        "critic gradient \(parameter.name)")
        }
        let criticOptimizer = Adam(parameters: critic.parameters, learningRate: Float(try metadata("lr_critic")),
                                   beta1: 0.5, beta2: 0.9, epsilon: 1e-8, form: .pytorch)
        criticOptimizer.update(with: step.gradients)
        let criticAfter = critic.torchState()
        for parameter in critic.namedParameters {
            assertClose(criticAfter[parameter.name]!.values, try values("critic_after_step/" + parameter.name),
                        "critic weight after Adam \(parameter.name)")
        }

        // Generator step, against the updated critic.
        let generatorStep = WGANGP.generatorStep(generator: generator, critic: critic, noise: generatorNoise)
        assertClose(generatorStep.loss, try metadata("gen_loss"), "generator loss")
        for (parameter, gradient) in zip(generator.namedParameters, generatorStep.gradients) {
            assertClose(parameter.layout.toTorch(gradient.scalars), try values("gen_grad/" + parameter.name),
                        "generator gradient \(parameter.name)")
        }
        let generatorOptimizer = Adam(parameters: generator.parameters, learningRate: Float(try metadata("lr_gen")),
                                      beta1: 0.5, beta2: 0.9, epsilon: 1e-8, form: .pytorch)
        generatorOptimizer.update(with: generatorStep.gradients)
        let generatorAfter = generator.torchState()
        for parameter in generator.namedParameters {
            assertClose(generatorAfter[parameter.name]!.values, try values("gen_after_step/" + parameter.name),
                        "generator weight after Adam \(parameter.name)")
        }
    }
}
