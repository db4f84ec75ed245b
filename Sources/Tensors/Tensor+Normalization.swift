// Standardisation with statistics over some axes: the shared core of batch norm (statistics
// per channel, over the batch and positions) and layer norm (statistics per sample, over
// positions and channels). Composed from differentiable operations, so its gradient (and
// the gradient of that, which the WGAN-GP penalty needs through a layer-norm critic) is exact.

/// The result of `Tensor.standardized(statisticsShape:epsilon:)`.
public struct Standardization {
    /// (x − mean) / √(variance + ε), the shape of the input.
    public let normalized: Tensor
    /// The mean and the biased variance, of the statistics shape.
    public let mean: Tensor, variance: Tensor
}

extension Tensor {
    /// Standardises with the mean and biased variance taken over the axes along which
    /// `statisticsShape` broadcasts to this shape: `[C]` for a batch norm of [rows, C], `[B, 1]`
    /// for a layer norm of [B, features].
    ///
    /// ```swift
    /// let s = x.reshaped([batch, features]).standardized(statisticsShape: [batch, 1], epsilon: 1e-5)
    /// ```
    public func standardized(statisticsShape: Shape, epsilon: Float) -> Standardization {
        let perStatistic = count / Swift.max(statisticsShape.count, 1)
        precondition(perStatistic > 0, "standardising \(shape) over \(statisticsShape)")
        let scale = 1 / Float(perStatistic)
        let mean = sum(to: statisticsShape) * scale
        let centred = self - mean
        let variance = centred.squared().sum(to: statisticsShape) * scale
        return Standardization(normalized: centred / (variance + epsilon).sqrt(), mean: mean, variance: variance)
    }

    /// Layer normalisation of channels-last activations [B, …, C] over every axis but the
    /// batch, with per-channel `scale` and `offset` [C] (tflib's `Layernorm` over (C, H, W) as
    /// the WGAN-GP image critic uses it; PyTorch's `GroupNorm(1, C)` is the same function).
    public func layerNormalized(scale: Tensor, offset: Tensor, epsilon: Float = 1e-5) -> Tensor {
        let channels = shape[rank - 1], batch = shape[0]
        precondition(rank >= 2 && scale.shape == [channels] && offset.shape == [channels],
                     "layer norm of \(shape) with scale \(scale.shape) and offset \(offset.shape)")
        let normalized = reshaped([batch, count / batch])
            .standardized(statisticsShape: [batch, 1], epsilon: epsilon).normalized
        return normalized.reshaped(shape) * scale + offset
    }
}
