import Layers
import Tensors

/// Sizes of the paper's character-level WGAN-GP.
public struct LanguageModelShape: Codable, Equatable, Sendable {
    public var dim: Int
    public var sequenceLength: Int
    public var vocabularySize: Int
    public var noise: Int
    public var residualBlocks: Int

    public init(dim: Int = 512, sequenceLength: Int = 32, vocabularySize: Int, noise: Int = 128,
                residualBlocks: Int = 5) {
        self.dim = dim
        self.sequenceLength = sequenceLength
        self.vocabularySize = vocabularySize
        self.noise = noise
        self.residualBlocks = residualBlocks
    }
}

/// noise [B, 128] → linear → [B, seq, dim] → residual blocks → 1×1 convolution → softmax over
/// the vocabulary: [B, seq, vocab], each position a distribution over characters.
public final class LanguageGenerator: Network {
    public let shape: LanguageModelShape
    public let input: Linear
    public let blocks: [ResidualBlock]
    public let output: Conv1D

    public init(_ shape: LanguageModelShape, random: inout RandomSource) {
        self.shape = shape
        let order = FeatureOrder(channels: shape.dim, length: shape.sequenceLength)
        input = Linear(name: "Generator.Input", inFeatures: shape.noise, outFeatures: shape.sequenceLength * shape.dim,
                       outputOrder: order, random: &random)
        blocks = (1...shape.residualBlocks).map {
            ResidualBlock(name: "Generator.\($0)", dim: shape.dim, random: &random)
        }
        output = Conv1D(name: "Generator.Output", inChannels: shape.dim, outChannels: shape.vocabularySize, width: 1,
                        random: &random)
    }

    public func callAsFunction(_ noise: Tensor) -> Tensor {
        var x = input(noise).reshaped([noise.shape[0], shape.sequenceLength, shape.dim])
        for block in blocks { x = block(x) }
        return output(x).softmax()
    }

    public var namedParameters: [NamedParameter] {
        input.namedParameters + blocks.flatMap(\.namedParameters) + output.namedParameters
    }
}

/// [B, seq, vocab] → 1×1 convolution → residual blocks → flatten → linear → [B, 1].
public final class LanguageCritic: Network {
    public let shape: LanguageModelShape
    public let input: Conv1D
    public let blocks: [ResidualBlock]
    public let output: Linear

    public init(_ shape: LanguageModelShape, random: inout RandomSource) {
        self.shape = shape
        input = Conv1D(name: "Discriminator.Input", inChannels: shape.vocabularySize, outChannels: shape.dim,
                       width: 1, random: &random)
        blocks = (1...shape.residualBlocks).map {
            ResidualBlock(name: "Discriminator.\($0)", dim: shape.dim, random: &random)
        }
        output = Linear(name: "Discriminator.Output", inFeatures: shape.sequenceLength * shape.dim, outFeatures: 1,
                        inputOrder: FeatureOrder(channels: shape.dim, length: shape.sequenceLength),
                        random: &random)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = input(x)
        for block in blocks { h = block(h) }
        return output(h.reshaped([x.shape[0], shape.sequenceLength * shape.dim]))
    }

    public var namedParameters: [NamedParameter] {
        input.namedParameters + blocks.flatMap(\.namedParameters) + output.namedParameters
    }
}
