import Layers
import LanguageGAN
import Tensors
import TrainingRuns
import XCTest

/// The batch gradient penalty must be the mean of per-sample penalties, each sample with its
/// own gradient norm. (The authors' first language-model release penalised only the first
/// sample of each batch; this catches that class of bug, and any mixing of samples' gradients.)
final class GradientPenaltyTests: XCTestCase {
    func testBatchPenaltyIsTheMeanOfPerSamplePenalties() {
        let shape = LanguageModelShape(dim: 8, sequenceLength: 6, vocabularySize: 5, noise: 4, residualBlocks: 2)
        var random = RandomSource(seed: 3)
        let critic = LanguageCritic(shape, random: &random)
        let batch = 5
        let x = Tensor.randomUniform([batch, shape.sequenceLength, shape.vocabularySize], using: &random)

        let batchPenalty = WassersteinGradientPenalty.penalty(critic: critic.callAsFunction, at: x)
        let batchGradients = Autodiff.gradients(of: batchPenalty, withRespectTo: critic.parameters)

        var perSample: [Double] = []
        var summedGradients = critic.parameters.map { [Double](repeating: 0, count: $0.count) }
        for index in 0..<batch {
            let single = WassersteinGradientPenalty.penalty(critic: critic.callAsFunction, at: x.slice(index..<(index + 1)))
            perSample.append(Double(single.item))
            for (slot, gradient) in Autodiff.gradients(of: single, withRespectTo: critic.parameters).enumerated() {
                for (i, value) in gradient.scalars.enumerated() { summedGradients[slot][i] += Double(value) / Double(batch) }
            }
        }
        let mean = perSample.reduce(0, +) / Double(batch)
        XCTAssertEqual(Double(batchPenalty.item), mean, accuracy: 1e-5 * max(1, abs(mean)))
        // The samples' penalties differ, so penalising one sample only would fail above.
        XCTAssertGreaterThan((perSample.max() ?? 0) - (perSample.min() ?? 0), 1e-3)
        for (slot, gradient) in batchGradients.enumerated() {
            let scale = summedGradients[slot].map(abs).max() ?? 0
            for (ours, expected) in zip(gradient.scalars, summedGradients[slot]) {
                XCTAssertEqual(Double(ours), expected, accuracy: 1e-4 * max(scale, 1e-6))
            }
        }
    }
}
