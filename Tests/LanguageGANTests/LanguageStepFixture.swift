import Foundation
import Layers
import LanguageGAN
import Tensors
import TrainingRuns
import XCTest
import _TestSupport

/// One critic step then one generator step (against the updated critic) from the initial
/// weights of a fixture written by ../shared/reference/wgan_language_torch.py in float64,
/// compared quantity by quantity: losses, every gradient, every Adam-updated weight.
///
/// Tensors are compared as max |ours − theirs| against the scale max |theirs|; scalars as
/// |ours − theirs| against |theirs|. The caller says how much error each comparison allows.
/// Every weight after the Adam step is also held to Adam's bound (`AdamFirstStepParity`); one
/// whose gradient's sign the computation does not determine (a reference gradient within fp32
/// parity's 1e-4 · max |ref| of zero) to that bound alone, out of its tensor's error.
struct LanguageStepFixture {
    /// What a compared quantity is, for tolerances that depend on how it was computed.
    enum Quantity {
        case fake, criticReal, criticFake, wasserstein, gradientPenalty, criticLoss, criticGradient
        case criticAfterStep, generatorLoss, generatorGradient, generatorAfterStep
    }

    struct Comparison {
        let name: String, quantity: Quantity
        /// max |ours − theirs| (or |ours − theirs| for a scalar) and max |theirs| (|theirs|).
        let error: Double, scale: Double
    }

    /// Everything compared, plus what scalar tolerances need.
    struct Outcome {
        var comparisons: [Comparison] = []
        var metadata: [String: Double] = [:]
        /// max |D(G(z_gen))| of the updated critic: the scale of the generator loss's terms.
        var generatorScoreScale = 0.0
        /// Each after-step tensor's element furthest into Adam's bound (`AdamFirstStepParity`).
        var adamBounded: [(name: String, error: Double, bound: Double)] = []
    }

    let file: SafeTensorsFile

    init(_ relativePath: String) throws {
        file = try SafeTensorsFile(contentsOf: SharedData.require(relativePath))
    }

    private func values(_ name: String) throws -> [Float] {
        guard let entry = file.tensors[name] else { try skipOutsideCI("fixture lacks \(name)") }
        return entry.floats()
    }

    func metadata(_ key: String) throws -> Double {
        try XCTUnwrap(file.metadata[key].flatMap(Double.init), "fixture metadata lacks \(key)")
    }

    private func state(_ prefix: String) -> TorchState {
        var state: TorchState = [:]
        for (name, entry) in file.tensors where name.hasPrefix(prefix) {
            state[String(name.dropFirst(prefix.count))] = (entry.shape, entry.floats())
        }
        return state
    }

    /// Runs the two steps in the engine's current precision and compares every quantity.
    func run() throws -> Outcome {
        var outcome = Outcome()
        for key in ["dim", "seq", "vocab", "batch", "noise", "gp_lambda", "lr_critic", "lr_gen", "wdist", "gp",
                    "critic_loss", "gen_loss"] {
            outcome.metadata[key] = try metadata(key)
        }
        func tensor(_ ours: [Float], _ name: String, _ quantity: Quantity) throws {
            let theirs = try values(name)
            XCTAssertEqual(ours.count, theirs.count, name)
            outcome.comparisons.append(Comparison(
                name: name, quantity: quantity,
                error: zip(ours, theirs).map { abs(Double($0) - Double($1)) }.max() ?? 0,
                scale: theirs.map { abs(Double($0)) }.max() ?? 0))
        }
        func scalar(_ ours: Double, _ key: String, _ quantity: Quantity) throws {
            let theirs = try metadata(key)
            outcome.comparisons.append(Comparison(name: key, quantity: quantity, error: abs(ours - theirs), scale: abs(theirs)))
        }

        // A network's gradients, then its weights after the fixture's Adam step with them.
        func gradientsAndUpdate(_ network: some ParameterContainer, _ gradients: [Tensor], learningRate: String,
                                prefixes: (gradient: String, after: String), quantities: (Quantity, Quantity)) throws {
            for (parameter, gradient) in zip(network.namedParameters, gradients) {
                try tensor(parameter.layout.toTorch(gradient.scalars), prefixes.gradient + parameter.name, quantities.0)
            }
            let optimizer = Adam(parameters: network.parameters, learningRate: Float(try metadata(learningRate)),
                                 beta1: 0.5, beta2: 0.9, epsilon: 1e-8, form: .pytorch)
            optimizer.update(with: gradients)
            let after = network.torchState()
            for (parameter, gradient) in zip(network.namedParameters, gradients) {
                let name = prefixes.after + parameter.name
                let theirGradient = try values(prefixes.gradient + parameter.name)
                let result = AdamFirstStepParity.compare(
                    ours: after[parameter.name]!.values, theirs: try values(name),
                    ourGradient: parameter.layout.toTorch(gradient.scalars), theirGradient: theirGradient,
                    gradientError: 1e-4 * (theirGradient.map { abs(Double($0)) }.max() ?? 0),
                    learningRate: Double(optimizer.learningRate), epsilon: Double(optimizer.epsilon))
                outcome.comparisons.append(Comparison(name: name, quantity: quantities.1, error: result.determinedError,
                                                      scale: result.scale))
                outcome.adamBounded.append(("\(name)[\(result.worst.index)]", result.worst.error, result.worst.bound))
            }
        }

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
        let step = WassersteinGradientPenalty.criticStep(generator: generator.callAsFunction, critic: critic.callAsFunction,
                                                         criticParameters: critic.parameters, real: real, noise: criticNoise,
                                                         alpha: alpha, lambda: Float(try metadata("gp_lambda")))
        try tensor(step.fake.scalars, "critic/fake", .fake)
        try tensor(step.criticReal.scalars, "critic/d_real", .criticReal)
        try tensor(step.criticFake.scalars, "critic/d_fake", .criticFake)
        try scalar(step.wasserstein, "wdist", .wasserstein)
        try scalar(step.gradientPenalty, "gp", .gradientPenalty)
        try scalar(step.loss, "critic_loss", .criticLoss)
        try gradientsAndUpdate(critic, step.gradients, learningRate: "lr_critic", prefixes: ("critic_grad/", "critic_after_step/"),
                               quantities: (.criticGradient, .criticAfterStep))

        // Generator step, against the updated critic.
        let generatorStep = WassersteinGradientPenalty.generatorStep(generator: generator.callAsFunction,
                                                                     critic: critic.callAsFunction,
                                                                     generatorParameters: generator.parameters,
                                                                     noise: generatorNoise)
        outcome.generatorScoreScale = withoutGrad { critic(generator(generatorNoise)) }.scalars
            .map { abs(Double($0)) }.max() ?? 0
        try scalar(generatorStep.loss, "gen_loss", .generatorLoss)
        try gradientsAndUpdate(generator, generatorStep.gradients, learningRate: "lr_gen", prefixes: ("gen_grad/", "gen_after_step/"),
                               quantities: (.generatorGradient, .generatorAfterStep))
        return outcome
    }

    /// Fails every comparison whose error exceeds `allowed(comparison)` (an absolute error).
    static func assertWithin(_ outcome: Outcome, allowed: (Comparison) -> Double,
                             file: StaticString = #filePath, line: UInt = #line) {
        for comparison in outcome.comparisons {
            let bound = allowed(comparison)
            XCTAssertLessThanOrEqual(comparison.error, bound,
                                     "\(comparison.name): error \(comparison.error) against scale \(comparison.scale), allowed \(bound)",
                                     file: file, line: line)
        }
        for element in outcome.adamBounded {
            XCTAssertLessThanOrEqual(element.error, element.bound,
                                     "\(element.name): beyond Adam's bound",
                                     file: file, line: line)
        }
    }
}
