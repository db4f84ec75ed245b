import Foundation
import Layers
import Tensors

extension LanguageGenerator {
    /// Token ids of `count` generated sentences, drawn batch by batch without recording a
    /// graph: each batch's noise from `random`, then each position's unit by
    /// ``pick(from:count:temperature:using:)`` (argmax at temperature 0, the authors'
    /// sampling). Over several ranks each generates its share of every batch and all receive
    /// the whole (and draw the same units).
    public func sampleTokenIDs(count: Int, batch: Int, temperature: Double = 0,
                               using random: inout RandomSource) -> [[Int]] {
        var sentences: [[Int]] = []
        sentences.reserveCapacity(count)
        withoutGrad {
            while sentences.count < count {
                let size = min(batch, count - sentences.count)
                let probabilities = Collectives.splittingRows(of: Tensor.randomNormal([size, shape.noise], using: &random)) {
                    self($0)
                }
                let values = probabilities.storage.pointer
                let vocabulary = shape.vocabularySize
                for b in 0..<size {
                    var ids: [Int] = []
                    ids.reserveCapacity(shape.sequenceLength)
                    for position in 0..<shape.sequenceLength {
                        let row = values + (b * shape.sequenceLength + position) * vocabulary
                        ids.append(Self.pick(from: row, count: vocabulary, temperature: temperature, using: &random))
                    }
                    sentences.append(ids)
                }
            }
        }
        return sentences
    }

    /// One unit from the generator's distribution `probabilities` (its softmax output over
    /// `count` units) at `temperature`: at 0 the most probable (the first of equals, drawing
    /// nothing); else a draw from softmax(log p / T) — p^(1/T) renormalised, computed relative
    /// to the largest p so that small temperatures do not underflow — with one uniform number
    /// from `random`. T = 1 samples the generator's own distribution.
    public static func pick(from probabilities: UnsafePointer<Float>, count: Int, temperature: Double,
                            using random: inout RandomSource) -> Int {
        var best = 0
        for v in 1..<count where probabilities[v] > probabilities[best] { best = v }
        guard temperature > 0 else { return best }
        let logMax = log(Double(probabilities[best]))
        var weights = [Double](repeating: 0, count: count)
        var total = 0.0
        for v in 0..<count {
            let p = Double(probabilities[v])
            weights[v] = p > 0 ? exp((log(p) - logMax) / temperature) : 0
            total += weights[v]
        }
        var u = random.nextUniform() * total
        var last = best
        for v in 0..<count where weights[v] > 0 {
            u -= weights[v]
            if u < 0 { return v }
            last = v
        }
        return last  // rounding left u at 0 after the last positive weight
    }
}
