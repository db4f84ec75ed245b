import Layers
import Tensors

/// Sizes of a DCGAN (Radford et al.; the TTUR paper's image experiments use the TensorFlow
/// DCGAN): square images of `imageSize` (a power of two ≥ 8) with `channels` channels.
public struct DCGANShape: Codable, Equatable, Sendable {
    public var imageSize: Int
    public var channels: Int
    public var noise: Int
    /// Channels of the generator's last hidden stage (TF DCGAN's gf_dim); they double
    /// towards the input.
    public var generatorWidth: Int
    /// Channels of the discriminator's first stage (df_dim); they double with depth.
    public var discriminatorWidth: Int

    public init(imageSize: Int = 32, channels: Int = 1, noise: Int = 100, generatorWidth: Int = 64,
                discriminatorWidth: Int = 64) {
        self.imageSize = imageSize
        self.channels = channels
        self.noise = noise
        self.generatorWidth = generatorWidth
        self.discriminatorWidth = discriminatorWidth
    }

    /// Stride-2 stages between 4×4 and the image size.
    public var stages: Int { binaryLogarithm(imageSize / 4) }

    /// Whether the size is one the stages can reach: a power of two from 8 up.
    public var isValid: Bool {
        imageSize >= 8 && imageSize & (imageSize - 1) == 0 && (channels == 1 || channels == 3)
            && noise > 0 && generatorWidth > 0 && discriminatorWidth > 0
    }

    /// 5×5 kernels, stride 2, padding 2: a convolution halves an even size, and its
    /// transpose (with the output size given) doubles it.
    public static let stageGeometry = Convolution2DGeometry(kernel: 5, stride: 2, padding: 2)
}

/// ⌊log₂ n⌋ for n ≥ 1.
private func binaryLogarithm(_ n: Int) -> Int { Int.bitWidth - 1 - max(n, 1).leadingZeroBitCount }

/// DCGAN weights start normal with standard deviation 0.02 (biases zero).
private func dcganWeight(_ shape: Shape, using random: inout RandomSource) -> Tensor {
    (Tensor.randomNormal(shape, using: &random) * 0.02).detached().requiringGrad()
}

/// noise [B, z] → linear → [B, 4, 4, C] → batch norm, ReLU → (transposed 5×5 stride-2
/// convolution, batch norm, ReLU) per stage, the last to the image channels → tanh.
public final class DCGANGenerator: ParameterContainer {
    public let shape: DCGANShape
    public let input: Linear
    public let inputNorm: BatchNorm
    public let stages: [ConvTranspose2D]
    public let norms: [BatchNorm]

    public init(_ shape: DCGANShape, random: inout RandomSource) {
        self.shape = shape
        let count = shape.stages
        // Channels per resolution: 4×4 has width·2^(stages−1), halving each stage, the image last.
        let widths = (0..<count).map { shape.generatorWidth << (count - 1 - $0) } + [shape.channels]
        let order = FeatureOrder(channels: widths[0], length: 16)
        let input = Linear(name: "generator.input", inFeatures: shape.noise, outFeatures: 16 * widths[0],
                           outputOrder: order, random: &random)
        dcganWeight(input.weight.shape, using: &random).scalars.withUnsafeBufferPointer { input.weight.assign($0) }
        self.input = input
        inputNorm = BatchNorm(name: "generator.input_norm", channels: widths[0])
        stages = (0..<count).map { index in
            ConvTranspose2D(name: "generator.stage\(index + 1)", inChannels: widths[index], outChannels: widths[index + 1],
                            geometry: DCGANShape.stageGeometry,
                            weight: dcganWeight([5, 5, widths[index + 1], widths[index]], using: &random))
        }
        norms = (1..<count).map { BatchNorm(name: "generator.stage\($0)_norm", channels: widths[$0]) }
    }

    public var isTraining: Bool {
        get { inputNorm.isTraining }
        set { ([inputNorm] + norms).forEach { $0.isTraining = newValue } }
    }

    /// noise [B, z] → images [B, size, size, channels] in (−1, 1).
    public func callAsFunction(_ noise: Tensor) -> Tensor {
        let batch = noise.shape[0]
        var h = inputNorm(input(noise).reshaped([batch, 4, 4, input.weight.shape[1] / 16])).relu()
        var size = 4
        for (index, stage) in stages.enumerated() {
            size *= 2
            h = stage(h, height: size, width: size)
            h = index < norms.count ? norms[index](h).relu() : h.tanh()
        }
        return h
    }

    public var namedParameters: [NamedParameter] {
        input.namedParameters + inputNorm.namedParameters
            + zip(stages, norms + [nil]).flatMap { stage, norm in stage.namedParameters + (norm?.namedParameters ?? []) }
    }

    public var namedBuffers: [NamedParameter] { ([inputNorm] + norms).flatMap(\.namedBuffers) }
}

/// images [B, size, size, channels] → (5×5 stride-2 convolution, [batch norm,] leaky ReLU 0.2)
/// per stage (no batch norm on the first, as DCGAN) → flatten → linear → one logit [B, 1].
public final class DCGANDiscriminator: ParameterContainer {
    public let shape: DCGANShape
    public let stages: [Conv2D]
    /// Batch norms of stages 2…
    public let norms: [BatchNorm]
    public let output: Linear

    public init(_ shape: DCGANShape, random: inout RandomSource) {
        self.shape = shape
        let count = shape.stages
        let widths = [shape.channels] + (0..<count).map { shape.discriminatorWidth << $0 }
        stages = (0..<count).map { index in
            Conv2D(name: "discriminator.stage\(index + 1)", inChannels: widths[index], outChannels: widths[index + 1],
                   geometry: DCGANShape.stageGeometry,
                   weight: dcganWeight([5, 5, widths[index], widths[index + 1]], using: &random))
        }
        norms = (1..<count).map { BatchNorm(name: "discriminator.stage\($0 + 1)_norm", channels: widths[$0 + 1]) }
        let output = Linear(name: "discriminator.output", inFeatures: 16 * widths[count], outFeatures: 1,
                            inputOrder: FeatureOrder(channels: widths[count], length: 16), random: &random)
        dcganWeight(output.weight.shape, using: &random).scalars.withUnsafeBufferPointer { output.weight.assign($0) }
        self.output = output
    }

    public var isTraining: Bool {
        get { norms.first?.isTraining ?? true }
        set { norms.forEach { $0.isTraining = newValue } }
    }

    public func callAsFunction(_ images: Tensor) -> Tensor {
        var h = images
        for (index, stage) in stages.enumerated() {
            h = stage(h)
            if index > 0 { h = norms[index - 1](h) }
            h = h.leakyRelu(slope: 0.2)
        }
        return output(h.reshaped([images.shape[0], h.count / images.shape[0]]))
    }

    public var namedParameters: [NamedParameter] {
        zip(stages, [nil] + norms).flatMap { stage, norm in stage.namedParameters + (norm?.namedParameters ?? []) }
            + output.namedParameters
    }

    public var namedBuffers: [NamedParameter] { norms.flatMap(\.namedBuffers) }
}
