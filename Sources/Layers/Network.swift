import Tensors

/// A network: parameters and a forward pass from one tensor to another (a generator from
/// noise, a critic from samples to scores). What a GAN step needs to know of a model.
public protocol Network: ParameterContainer {
    /// The forward pass, recorded for autodiff unless inside `withoutGrad`.
    func callAsFunction(_ input: Tensor) -> Tensor
}
