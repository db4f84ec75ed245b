import Layers
import Tensors

extension LanguageGenerator {
    /// Token ids of `count` generated sentences (argmax per position), drawn batch by batch
    /// without recording a graph; over several ranks each generates its share of every
    /// batch and all receive the whole.
    public func sampleTokenIDs(count: Int, batch: Int, using random: inout RandomSource) -> [[Int]] {
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
                        var best = 0
                        for v in 1..<vocabulary where row[v] > row[best] { best = v }
                        ids.append(best)
                    }
                    sentences.append(ids)
                }
            }
        }
        return sentences
    }
}
