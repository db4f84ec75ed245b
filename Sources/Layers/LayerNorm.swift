import Tensors

/// Layer normalisation of channels-last activations [B, …, C] over every axis but the batch,
/// with per-channel scale and offset: tflib's `Layernorm` over (C, H, W), the WGAN-GP image
/// critic's normaliser (the gradient penalty is per sample, so the critic must not mix
/// samples as batch norm does). Parameters as the PyTorch reference: `.weight` (scale, ones)
/// and `.bias` (offset, zeros), both [C].
public final class LayerNorm: ParameterContainer {
    public let name: String
    public let scale: Tensor, offset: Tensor
    public let epsilon: Float

    public init(name: String, channels: Int, epsilon: Float = 1e-5) {
        self.name = name
        self.epsilon = epsilon
        scale = Tensor(repeating: 1, shape: [channels], requiresGrad: true)
        offset = Initializer.zeros([channels])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNormalized(scale: scale, offset: offset, epsilon: epsilon)
    }

    public var namedParameters: [NamedParameter] {
        [NamedParameter(name: name + ".weight", tensor: scale, layout: .identical),
         NamedParameter(name: name + ".bias", tensor: offset, layout: .identical)]
    }
}
