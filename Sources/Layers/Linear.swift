import Tensors

/// y = x·W + b with W stored [in, out].
public final class Linear: ParameterContainer {
    public let name: String
    public let weight: Tensor, bias: Tensor
    let inputOrder: FeatureOrder?, outputOrder: FeatureOrder?

    /// - Parameters:
    ///   - inputOrder/outputOrder: set when that side is a flattened [length, channels]
    ///     activation whose PyTorch counterpart is flattened channel-major.
    public init(name: String, inFeatures: Int, outFeatures: Int, inputOrder: FeatureOrder? = nil,
                outputOrder: FeatureOrder? = nil, random: inout RandomSource) {
        self.name = name
        weight = Initializer.glorotUniform([inFeatures, outFeatures], fanIn: inFeatures, fanOut: outFeatures,
                                           using: &random)
        bias = Initializer.zeros([outFeatures])
        self.inputOrder = inputOrder
        self.outputOrder = outputOrder
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.matmul(weight) + bias }

    public var namedParameters: [NamedParameter] {
        [NamedParameter(name: name + ".weight", tensor: weight,
                        layout: .linear(inFeatures: weight.shape[0], outFeatures: weight.shape[1],
                                        input: inputOrder, output: outputOrder)),
         NamedParameter(name: name + ".bias", tensor: bias,
                        layout: outputOrder.map { .flattenedVector($0) } ?? .identical)]
    }
}
