import Tensors

/// How a parameter's internal layout maps to PyTorch's, so checkpoints and fixtures use the
/// reference's names, shapes and element order while the engine keeps GEMM-friendly layouts.
///
/// Internally activations are channels-last ([batch, length, channels]); PyTorch's are
/// channel-major ([batch, channels, length]). Weights that touch a flattened activation
/// therefore permute their features, and convolution weights are stored [k, in, out] so a
/// convolution is one GEMM without a transpose.
public enum ParameterLayout: Equatable, Sendable {
    /// Identical in both (e.g. a convolution's bias).
    case identical
    /// A bias over flattened features: internal index l·channels + c ↔ PyTorch c·length + l.
    case flattenedVector(FeatureOrder)
    /// A linear weight: internal [in, out] ↔ PyTorch [out, in], each side optionally flattened.
    case linear(inFeatures: Int, outFeatures: Int, input: FeatureOrder?, output: FeatureOrder?)
    /// A convolution weight: internal [k, in, out] ↔ PyTorch [out, in, k].
    case convolution(width: Int, inChannels: Int, outChannels: Int)
    /// A 2-D convolution weight: internal [k, k, in, out] ↔ PyTorch [out, in, k, k]. A transposed
    /// convolution stores the weight of the convolution it transposes, so its PyTorch
    /// [in_t, out_t, k, k] is this case with inChannels = out_t and outChannels = in_t.
    case convolution2D(kernel: Int, inChannels: Int, outChannels: Int)
}

/// The order of a flattened [length, channels] activation versus PyTorch's [channels, length].
public struct FeatureOrder: Equatable, Sendable {
    public let channels: Int, length: Int
    public init(channels: Int, length: Int) {
        self.channels = channels
        self.length = length
    }
    /// PyTorch's index of internal feature `index` (= l·channels + c).
    @inline(__always) func torchIndex(_ index: Int) -> Int { (index % channels) * length + index / channels }
}

extension ParameterLayout {
    /// The parameter's shape in PyTorch.
    public func torchShape(internal shape: Shape) -> [Int] {
        switch self {
        case .identical, .flattenedVector: return shape.dimensions
        case let .linear(inFeatures, outFeatures, _, _): return [outFeatures, inFeatures]
        case let .convolution(width, inChannels, outChannels): return [outChannels, inChannels, width]
        case let .convolution2D(kernel, inChannels, outChannels): return [outChannels, inChannels, kernel, kernel]
        }
    }

    /// Internal element order → PyTorch's.
    public func toTorch(_ values: [Float]) -> [Float] {
        var out = values
        forEachPair(count: values.count) { internalIndex, torchIndex in out[torchIndex] = values[internalIndex] }
        return out
    }

    /// PyTorch's element order → internal.
    public func fromTorch(_ values: [Float]) -> [Float] {
        var out = values
        forEachPair(count: values.count) { internalIndex, torchIndex in out[internalIndex] = values[torchIndex] }
        return out
    }

    private func forEachPair(count: Int, _ body: (Int, Int) -> Void) {
        switch self {
        case .identical:
            for i in 0..<count { body(i, i) }
        case let .flattenedVector(order):
            for i in 0..<count { body(i, order.torchIndex(i)) }
        case let .linear(inFeatures, outFeatures, input, output):
            for i in 0..<inFeatures {
                let ti = input?.torchIndex(i) ?? i
                for o in 0..<outFeatures {
                    let to = output?.torchIndex(o) ?? o
                    body(i * outFeatures + o, to * inFeatures + ti)
                }
            }
        case let .convolution(width, inChannels, outChannels):
            for t in 0..<width {
                for i in 0..<inChannels {
                    for o in 0..<outChannels {
                        body((t * inChannels + i) * outChannels + o, (o * inChannels + i) * width + t)
                    }
                }
            }
        case let .convolution2D(kernel, inChannels, outChannels):
            for position in 0..<(kernel * kernel) {
                for i in 0..<inChannels {
                    for o in 0..<outChannels {
                        body((position * inChannels + i) * outChannels + o, (o * inChannels + i) * kernel * kernel + position)
                    }
                }
            }
        }
    }
}

/// A trainable tensor with its reference name and layout.
public struct NamedParameter {
    public let name: String
    public let tensor: Tensor
    public let layout: ParameterLayout
}

/// Anything with parameters.
public protocol ParameterContainer {
    /// Every parameter, in a fixed order (optimiser state follows this order).
    var namedParameters: [NamedParameter] { get }
    /// State that is saved with the parameters but not trained by gradients (batch-norm's
    /// running statistics); PyTorch calls these buffers.
    var namedBuffers: [NamedParameter] { get }
}

extension ParameterContainer {
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }
    public var namedBuffers: [NamedParameter] { [] }
}
