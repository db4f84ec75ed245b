import Tensors

/// The language model's residual block: x + 0.3 · conv₂(relu(conv₁(relu(x)))), two width-5
/// convolutions of `dim` channels.
public final class ResidualBlock: ParameterContainer {
    public let first: Conv1D, second: Conv1D
    /// The residual branch's scale in the anchor's code.
    public static let branchScale: Float = 0.3

    /// - Parameter name: e.g. "Generator.1"; the convolutions become "Generator.1.1" and ".2".
    public init(name: String, dim: Int, width: Int = 5, random: inout RandomSource) {
        first = Conv1D(name: name + ".1", inChannels: dim, outChannels: dim, width: width, random: &random)
        second = Conv1D(name: name + ".2", inChannels: dim, outChannels: dim, width: width, random: &random)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x + second(first(x.relu()).relu()) * Self.branchScale
    }

    public var namedParameters: [NamedParameter] { first.namedParameters + second.namedParameters }
}
