import Layers
import Tensors

/// Sizes of the TTUR paper's WGAN-GP image models (the authors' `GoodGenerator` /
/// `GoodDiscriminator`): square images of 64 (four up and four down blocks) or 32 (three
/// each), 1 or 3 channels, widths in multiples of `dim` (64 in the paper).
public struct ResidualImageShape: Codable, Equatable, Sendable {
    public var imageSize: Int
    public var channels: Int
    public var dim: Int
    public var noise: Int

    public init(imageSize: Int = 64, channels: Int = 3, dim: Int = 64, noise: Int = 128) {
        self.imageSize = imageSize
        self.channels = channels
        self.dim = dim
        self.noise = noise
    }

    public var isValid: Bool { (imageSize == 64 || imageSize == 32) && (channels == 1 || channels == 3) && dim > 0 && noise > 0 }

    /// The generator's up blocks as (in, out) multiples of `dim`, 4×4 → image size.
    public var upBlocks: [(Int, Int)] { imageSize == 64 ? [(8, 8), (8, 4), (4, 2), (2, 1)] : [(8, 4), (4, 2), (2, 1)] }
    /// The critic's down blocks as (in, out) multiples of `dim`, image size → 4×4.
    public var downBlocks: [(Int, Int)] { imageSize == 64 ? [(1, 2), (2, 4), (4, 8), (8, 8)] : [(1, 2), (2, 4), (4, 8)] }
}

/// noise [B, 128] → Linear → [B, 4, 4, 8·dim] → up blocks → batch norm → ReLU → 3×3
/// convolution → tanh: images [B, size, size, channels] in (−1, 1). Names and layouts are
/// those of `wgan_image_torch.py` ("Generator.Input", "Generator.Res1.BN1", …,
/// "Generator.OutputN", "Generator.Output"). Batch norms always use batch statistics.
public final class ResidualImageGenerator: Network {
    public let shape: ResidualImageShape
    public let input: Linear
    public let blocks: [UpResidualBlock]
    public let outputNorm: BatchNorm
    public let output: Conv2D

    public init(_ shape: ResidualImageShape, random: inout RandomSource) {
        precondition(shape.isValid, "WGAN-GP image shape \(shape)")
        self.shape = shape
        let dim = shape.dim
        input = Linear(name: "Generator.Input", inFeatures: shape.noise, outFeatures: 16 * 8 * dim,
                       outputOrder: FeatureOrder(channels: 8 * dim, length: 16), random: &random)
        blocks = shape.upBlocks.enumerated().map { index, widths in
            UpResidualBlock(name: "Generator.Res\(index + 1)", inChannels: widths.0 * dim,
                            outChannels: widths.1 * dim, random: &random)
        }
        outputNorm = BatchNorm(name: "Generator.OutputN", channels: dim, tracksRunningStatistics: false)
        output = .same(name: "Generator.Output", inChannels: dim, outChannels: shape.channels, kernel: 3,
                       random: &random)
    }

    public func callAsFunction(_ noise: Tensor) -> Tensor {
        var h = input(noise).reshaped([noise.shape[0], 4, 4, 8 * shape.dim])
        for block in blocks { h = block(h) }
        return output(outputNorm(h).relu()).tanh()
    }

    public var namedParameters: [NamedParameter] {
        input.namedParameters + blocks.flatMap(\.namedParameters) + outputNorm.namedParameters
            + output.namedParameters
    }
}

/// images [B, size, size, channels] → 3×3 convolution to `dim` → down blocks → flatten
/// [B, 4·4·8·dim] (PyTorch's channel-major order in the weight's layout) → Linear → [B, 1].
/// Layer norms only, so samples never mix (the gradient penalty is per sample).
public final class ResidualImageCritic: Network {
    public let shape: ResidualImageShape
    public let input: Conv2D
    public let blocks: [DownResidualBlock]
    public let output: Linear

    public init(_ shape: ResidualImageShape, random: inout RandomSource) {
        precondition(shape.isValid, "WGAN-GP image shape \(shape)")
        self.shape = shape
        let dim = shape.dim
        input = .same(name: "Discriminator.Input", inChannels: shape.channels, outChannels: dim, kernel: 3,
                      he: false, random: &random)
        blocks = shape.downBlocks.enumerated().map { index, widths in
            DownResidualBlock(name: "Discriminator.Res\(index + 1)", inChannels: widths.0 * dim,
                              outChannels: widths.1 * dim, random: &random)
        }
        output = Linear(name: "Discriminator.Output", inFeatures: 16 * 8 * dim, outFeatures: 1,
                        inputOrder: FeatureOrder(channels: 8 * dim, length: 16), random: &random)
    }

    public func callAsFunction(_ images: Tensor) -> Tensor {
        var h = input(images)
        for block in blocks { h = block(h) }
        return output(h.reshaped([images.shape[0], h.count / images.shape[0]]))
    }

    public var namedParameters: [NamedParameter] {
        input.namedParameters + blocks.flatMap(\.namedParameters) + output.namedParameters
    }
}
