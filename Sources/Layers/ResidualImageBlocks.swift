import Tensors

extension Conv2D {
    /// A "same" k×k convolution (stride 1, padding k/2) with tflib's initialisation: uniform
    /// with standard deviation √(4/(fan_in + fan_out)) (`he`) or √(2/(fan_in + fan_out)),
    /// fan_in = in·k², fan_out = out·k² — the WGAN-GP image models' convolutions.
    public static func same(name: String, inChannels: Int, outChannels: Int, kernel: Int, he: Bool = true,
                            hasBias: Bool = true, random: inout RandomSource) -> Conv2D {
        let weight = Initializer.glorotUniform([kernel, kernel, inChannels, outChannels],
                                               fanIn: inChannels * kernel * kernel,
                                               fanOut: outChannels * kernel * kernel, he: he, using: &random)
        return Conv2D(name: name, inChannels: inChannels, outChannels: outChannels,
                      geometry: Convolution2DGeometry(kernel: kernel, padding: kernel / 2), weight: weight,
                      hasBias: hasBias)
    }
}

/// The WGAN-GP image generator's up block (improved_wgan_training's `ResidualBlock(resample='up')`
/// with batch norm): shortcut = 1×1 convolution of the 2× nearest upsample; main = BN1 → ReLU →
/// 2× nearest upsample → 3×3 convolution (no bias) → BN2 → ReLU → 3×3 convolution;
/// output = shortcut + main. Batch norms always use batch statistics (as the authors' script).
public final class UpResidualBlock: ParameterContainer {
    public let shortcut: Conv2D, norm1: BatchNorm, conv1: Conv2D, norm2: BatchNorm, conv2: Conv2D

    /// - Parameter name: e.g. "Generator.Res1"; layers become ".Shortcut", ".BN1", ".Conv1", ".BN2", ".Conv2".
    public init(name: String, inChannels: Int, outChannels: Int, random: inout RandomSource) {
        shortcut = .same(name: name + ".Shortcut", inChannels: inChannels, outChannels: outChannels, kernel: 1,
                         he: false, random: &random)
        norm1 = BatchNorm(name: name + ".BN1", channels: inChannels, tracksRunningStatistics: false)
        conv1 = .same(name: name + ".Conv1", inChannels: inChannels, outChannels: outChannels, kernel: 3,
                      hasBias: false, random: &random)
        norm2 = BatchNorm(name: name + ".BN2", channels: outChannels, tracksRunningStatistics: false)
        conv2 = .same(name: name + ".Conv2", inChannels: outChannels, outChannels: outChannels, kernel: 3,
                      random: &random)
    }

    /// [B, H, W, in] → [B, 2H, 2W, out].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        // A 1×1 convolution commutes with nearest upsampling: convolving first is exact and
        // does a quarter of the work.
        let skip = shortcut(x).upsampledNearest2x()
        let h = conv1(norm1(x).relu().upsampledNearest2x())
        return skip + conv2(norm2(h).relu())
    }

    public var namedParameters: [NamedParameter] {
        shortcut.namedParameters + norm1.namedParameters + conv1.namedParameters + norm2.namedParameters
            + conv2.namedParameters
    }
}

/// The WGAN-GP image critic's down block (`ResidualBlock(resample='down')` with layer norm):
/// shortcut = 1×1 convolution of the 2×2 mean pool; main = LN1 → ReLU → 3×3 convolution in → in
/// (no bias) → LN2 → ReLU → 3×3 convolution in → out, then 2×2 mean pool; output = shortcut + main.
public final class DownResidualBlock: ParameterContainer {
    public let shortcut: Conv2D, norm1: LayerNorm, conv1: Conv2D, norm2: LayerNorm, conv2: Conv2D

    /// - Parameter name: e.g. "Discriminator.Res1"; layers become ".Shortcut", ".LN1", ".Conv1", ".LN2", ".Conv2".
    public init(name: String, inChannels: Int, outChannels: Int, random: inout RandomSource) {
        shortcut = .same(name: name + ".Shortcut", inChannels: inChannels, outChannels: outChannels, kernel: 1,
                         he: false, random: &random)
        norm1 = LayerNorm(name: name + ".LN1", channels: inChannels)
        conv1 = .same(name: name + ".Conv1", inChannels: inChannels, outChannels: inChannels, kernel: 3,
                      hasBias: false, random: &random)
        norm2 = LayerNorm(name: name + ".LN2", channels: inChannels)
        conv2 = .same(name: name + ".Conv2", inChannels: inChannels, outChannels: outChannels, kernel: 3,
                      random: &random)
    }

    /// [B, H, W, in] → [B, H/2, W/2, out].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let skip = shortcut(x.meanPooled2x2())
        let h = conv1(norm1(x).relu())
        return skip + conv2(norm2(h).relu()).meanPooled2x2()
    }

    public var namedParameters: [NamedParameter] {
        shortcut.namedParameters + norm1.namedParameters + conv1.namedParameters + norm2.namedParameters
            + conv2.namedParameters
    }
}
