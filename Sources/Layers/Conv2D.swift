import Tensors

/// A k×k strided convolution over channels-last images, weight stored [k, k, in, out]; the
/// bias (zeros at first) is optional, as PyTorch's `bias=False`.
public final class Conv2D: ParameterContainer {
    public let name: String
    public let weight: Tensor, bias: Tensor?
    public let geometry: Convolution2DGeometry

    public init(name: String, inChannels: Int, outChannels: Int, geometry: Convolution2DGeometry,
                weight initial: Tensor, hasBias: Bool = true) {
        precondition(initial.shape == [geometry.kernel, geometry.kernel, inChannels, outChannels])
        self.name = name
        self.geometry = geometry
        weight = initial
        bias = hasBias ? Initializer.zeros([outChannels]) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.conv2d(weight: weight, bias: bias, geometry: geometry) }

    public var namedParameters: [NamedParameter] {
        [NamedParameter(name: name + ".weight", tensor: weight,
                        layout: .convolution2D(kernel: geometry.kernel, inChannels: weight.shape[2],
                                               outChannels: weight.shape[3]))]
            + (bias.map { [NamedParameter(name: name + ".bias", tensor: $0, layout: .identical)] } ?? [])
    }
}

/// A k×k strided transposed convolution (PyTorch's `ConvTranspose2d`) that maps h×w to a
/// given output size; the weight is stored as that of the convolution it transposes,
/// [k, k, out, in].
public final class ConvTranspose2D: ParameterContainer {
    public let name: String
    public let weight: Tensor, bias: Tensor
    public let geometry: Convolution2DGeometry

    public init(name: String, inChannels: Int, outChannels: Int, geometry: Convolution2DGeometry,
                weight initial: Tensor) {
        precondition(initial.shape == [geometry.kernel, geometry.kernel, outChannels, inChannels])
        self.name = name
        self.geometry = geometry
        weight = initial
        bias = Initializer.zeros([outChannels])
    }

    public func callAsFunction(_ x: Tensor, height: Int, width: Int) -> Tensor {
        x.convTranspose2d(weight: weight, bias: bias, geometry: geometry, height: height, width: width)
    }

    public var namedParameters: [NamedParameter] {
        // PyTorch's [in, out, k, k] is the transposed convolution's weight read as a
        // convolution from `out` to `in` channels.
        [NamedParameter(name: name + ".weight", tensor: weight,
                        layout: .convolution2D(kernel: geometry.kernel, inChannels: weight.shape[2],
                                               outChannels: weight.shape[3])),
         NamedParameter(name: name + ".bias", tensor: bias, layout: .identical)]
    }
}
