// Normalisation. `standardized` (statistics over some axes, composed from differentiable
// operations) is batch norm's core and layer norm's differentiable chain rule; layer norm
// itself is one fused op whose rule, when recorded, is built from it, so gradients of
// gradients (the WGAN-GP penalty through a layer-norm critic) stay exact.

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
    ///
    /// With `acrossRanks`, the sums are all-reduced over the ranks of a data-parallel run
    /// (inside the graph, so gradients are too): the statistics of the global batch.
    public func standardized(statisticsShape: Shape, epsilon: Float, acrossRanks: Bool = false) -> Standardization {
        let ranks = acrossRanks ? Collectives.current.size : 1
        let perStatistic = count / Swift.max(statisticsShape.count, 1) * ranks
        precondition(perStatistic > 0, "standardising \(shape) over \(statisticsShape)")
        let scale = 1 / Float(perStatistic)
        func total(_ x: Tensor) -> Tensor { acrossRanks ? x.sum(to: statisticsShape).allReduceSum() : x.sum(to: statisticsShape) }
        let mean = total(self) * scale
        let centred = self - mean
        let variance = total(centred.squared()) * scale
        return Standardization(normalized: centred / (variance + epsilon).sqrt(), mean: mean, variance: variance)
    }

    /// Layer normalisation of channels-last activations [B, …, C] over every axis but the
    /// batch, with per-channel `scale` and `offset` [C] (tflib's `Layernorm` over (C, H, W) as
    /// the WGAN-GP image critic uses it; PyTorch's `GroupNorm(1, C)` is the same function).
    ///
    /// One fused pass each way for speed. The chain rule, with x̂ the normalised input,
    /// r = 1/√(var + ε) and ĝ = g·scale per sample, is dx = r (ĝ − mean ĝ − x̂ · mean(ĝ x̂)),
    /// d scale = Σ g x̂, d offset = Σ g. When the backward pass is itself recorded (the
    /// gradient penalty's input gradient), that rule is built from differentiable operations
    /// on x, so it differentiates again; otherwise one fused kernel computes it from the saved
    /// x̂ and r.
    public func layerNormalized(scale: Tensor, offset: Tensor, epsilon: Float = 1e-5) -> Tensor {
        let channels = shape[rank - 1], batch = shape[0]
        precondition(rank >= 2 && scale.shape == [channels] && offset.shape == [channels],
                     "layer norm of \(shape) with scale \(scale.shape) and offset \(offset.shape)")
        let features = count / batch
        let normalized = Storage(count: count), inverseDeviation = Storage(count: batch), out = Storage(count: count)
        LayerNormKernels.forward(x: storage.pointer, scale: scale.storage.pointer, offset: offset.storage.pointer,
                                 batch: batch, features: features, channels: channels, epsilon: epsilon,
                                 normalized: normalized.pointer, inverseDeviation: inverseDeviation.pointer,
                                 out: out.pointer)
        let x = self, xShape = shape
        return Tensor.result("layer norm", shape: shape, storage: out, inputs: [x, scale, offset]) { g, _, needs in
            if GradMode.isEnabled {
                return Tensor.layerNormRule(g: g, x: x, scale: scale, epsilon: epsilon, needs: needs)
            }
            let dx = Storage(count: g.count), dScale = Storage(count: channels), dOffset = Storage(count: channels)
            LayerNormKernels.backward(g: g.storage.pointer, scale: scale.storage.pointer, normalized: normalized.pointer,
                                      inverseDeviation: inverseDeviation.pointer, batch: batch, features: features,
                                      channels: channels, dx: dx.pointer, dScale: dScale.pointer, dOffset: dOffset.pointer)
            return [needs[0] ? Tensor(shape: xShape, storage: dx) : nil,
                    needs[1] ? Tensor(shape: [channels], storage: dScale) : nil,
                    needs[2] ? Tensor(shape: [channels], storage: dOffset) : nil]
        }
    }

    /// Layer norm's chain rule in differentiable operations (see `layerNormalized`).
    static func layerNormRule(g: Tensor, x: Tensor, scale: Tensor, epsilon: Float, needs: [Bool]) -> [Tensor?] {
        let batch = x.shape[0], features = x.count / batch, channels = scale.count
        let statistics = x.reshaped([batch, features]).standardized(statisticsShape: [batch, 1], epsilon: epsilon)
        let normalized = statistics.normalized
        var dx: Tensor?
        if needs[0] {
            let scaled = (g * scale).reshaped([batch, features])
            let deviation = (statistics.variance + epsilon).sqrt()
            let meanScaled = scaled.sum(to: [batch, 1]) * (1 / Float(features))
            let meanProduct = (scaled * normalized).sum(to: [batch, 1]) * (1 / Float(features))
            dx = ((scaled - meanScaled - normalized * meanProduct) / deviation).reshaped(x.shape)
        }
        return [dx,
                needs[1] ? (g * normalized.reshaped(x.shape)).sum(to: [channels]) : nil,
                needs[2] ? g.sum(to: [channels]) : nil]
    }
}

/// The fused layer-norm passes, one sample per task; statistics in float64.
enum LayerNormKernels {
    static func forward(x: UnsafePointer<Float>, scale: UnsafePointer<Float>, offset: UnsafePointer<Float>,
                        batch: Int, features: Int, channels: Int, epsilon: Float,
                        normalized: UnsafeMutablePointer<Float>, inverseDeviation: UnsafeMutablePointer<Float>,
                        out: UnsafeMutablePointer<Float>) {
        parallelFor(batch) { b in
            let input = x + b * features, xhat = normalized + b * features, y = out + b * features
            let mean = sumInDouble(input, features) / Double(features)
            var squares = 0.0
            for i in 0..<features {
                let centred = Double(input[i]) - mean
                squares += centred * centred
            }
            let r = 1 / (squares / Double(features) + Double(epsilon)).squareRoot()
            inverseDeviation[b] = Float(r)
            let m = Float(mean), rf = Float(r)
            var i = 0
            while i < features {
                for c in 0..<channels {
                    let value = (input[i + c] - m) * rf
                    xhat[i + c] = value
                    y[i + c] = value * scale[c] + offset[c]
                }
                i += channels
            }
        }
    }

    static func backward(g: UnsafePointer<Float>, scale: UnsafePointer<Float>, normalized: UnsafePointer<Float>,
                         inverseDeviation: UnsafePointer<Float>, batch: Int, features: Int, channels: Int,
                         dx: UnsafeMutablePointer<Float>, dScale: UnsafeMutablePointer<Float>,
                         dOffset: UnsafeMutablePointer<Float>) {
        var scaleSums = [Double](repeating: 0, count: channels), offsetSums = [Double](repeating: 0, count: channels)
        for b in 0..<batch {
            let gradient = g + b * features, xhat = normalized + b * features, out = dx + b * features
            var sumScaled = 0.0, sumProduct = 0.0
            var i = 0
            while i < features {
                for c in 0..<channels {
                    let gi = Double(gradient[i + c]), scaled = gi * Double(scale[c]), xi = Double(xhat[i + c])
                    sumScaled += scaled
                    sumProduct += scaled * xi
                    scaleSums[c] += gi * xi
                    offsetSums[c] += gi
                }
                i += channels
            }
            let meanScaled = Float(sumScaled / Double(features)), meanProduct = Float(sumProduct / Double(features))
            let r = inverseDeviation[b]
            i = 0
            while i < features {
                for c in 0..<channels {
                    out[i + c] = (gradient[i + c] * scale[c] - meanScaled - xhat[i + c] * meanProduct) * r
                }
                i += channels
            }
        }
        for c in 0..<channels {
            dScale[c] = Float(scaleSums[c])
            dOffset[c] = Float(offsetSums[c])
        }
    }
}
