import Tensors

/// Width-k "same" 1-D convolution over channels-last activations, weight stored [k, in, out].
public final class Conv1D: ParameterContainer {
    public let name: String
    public let weight: Tensor, bias: Tensor

    public init(name: String, inChannels: Int, outChannels: Int, width: Int, random: inout RandomSource) {
        self.name = name
        weight = Initializer.glorotUniform([width, inChannels, outChannels], fanIn: inChannels * width,
                                           fanOut: outChannels * width, he: true, using: &random)
        bias = Initializer.zeros([outChannels])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.conv1d(weight: weight, bias: bias) }

    public var namedParameters: [NamedParameter] {
        [NamedParameter(name: name + ".weight", tensor: weight,
                        layout: .convolution(width: weight.shape[0], inChannels: weight.shape[1],
                                             outChannels: weight.shape[2])),
         NamedParameter(name: name + ".bias", tensor: bias, layout: .identical)]
    }
}
