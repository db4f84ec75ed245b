import Tensors

/// The anchors' initialisers (the TTUR language model's `lib/ops` and the PyTorch reference):
/// uniform with standard deviation √(2/(fan_in + fan_out)) ("Glorot") for linear layers and
/// √(4/(fan_in + fan_out)) ("He") for convolutions, where a convolution's fans are
/// channels × width; biases start at zero.
public enum Initializer {
    public static func glorotUniform(_ shape: Shape, fanIn: Int, fanOut: Int, he: Bool = false,
                                     using random: inout RandomSource) -> Tensor {
        let std = ((he ? 4.0 : 2.0) / Double(fanIn + fanOut)).squareRoot()
        let limit = Float(std * 3.0.squareRoot())
        return Tensor.randomUniform(shape, low: -limit, high: limit, using: &random).requiringGrad()
    }

    public static func zeros(_ shape: Shape) -> Tensor { Tensor(repeating: 0, shape: shape, requiresGrad: true) }
}
