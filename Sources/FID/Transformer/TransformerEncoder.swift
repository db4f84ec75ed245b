import Basics
import Foundation
import Tensors

/// A transformer encoder for inference (Vaswani et al. 2017), the part DINOv2's ViT, CLIP's
/// image tower and MiniLM (BERT) share: layers of multi-head self-attention and an MLP, with
/// layer norm before each (pre-norm: ViT, CLIP) or after each residual sum (post-norm: BERT),
/// optional layer scale (DINOv2), and GELU (erf), GELU (tanh) or QuickGELU (OpenAI's CLIP).
/// Activations are row-major [tokens × width] float32; every matrix product is the engine's
/// `sgemm`, so a faster backend serves this too. Weights come in PyTorch's layouts.
public struct TransformerEncoder: Sendable {
    public enum Norm: Sendable { case pre, post }
    public enum Activation: Sendable { case gelu, geluTanh, quickGELU }

    /// y = x Wᵀ + b, W in PyTorch's [out, in] layout.
    public struct Linear: Sendable {
        public let weight: [Float]
        public let bias: [Float]?
        public let inputs: Int, outputs: Int

        public init(weight: [Float], bias: [Float]?, inputs: Int, outputs: Int) throws {
            guard weight.count == inputs * outputs, bias.map({ $0.count == outputs }) ?? true else {
                throw LocatedError("linear layer: \(weight.count) weights and \(bias?.count ?? 0) biases for \(inputs) → \(outputs)")
            }
            (self.weight, self.bias, self.inputs, self.outputs) = (weight, bias, inputs, outputs)
        }

        public func callAsFunction(_ x: [Float], rows: Int) -> [Float] {
            var y = [Float](repeating: 0, count: rows * outputs)
            if let bias { for row in 0..<rows { for j in 0..<outputs { y[row * outputs + j] = bias[j] } } }
            x.withUnsafeBufferPointer { a in
                weight.withUnsafeBufferPointer { w in
                    y.withUnsafeMutableBufferPointer { c in
                        sgemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, a: a.baseAddress!, lda: inputs,
                              b: w.baseAddress!, ldb: inputs, beta: bias == nil ? 0 : 1, c: c.baseAddress!, ldc: outputs)
                    }
                }
            }
            return y
        }
    }

    /// Layer norm over each row's `width` values, with PyTorch's biased variance.
    public struct LayerNorm: Sendable {
        public let weight: [Float], bias: [Float]
        public let epsilon: Float

        public init(weight: [Float], bias: [Float], epsilon: Float) throws {
            guard weight.count == bias.count else { throw LocatedError("layer norm: \(weight.count) weights, \(bias.count) biases") }
            (self.weight, self.bias, self.epsilon) = (weight, bias, epsilon)
        }

        public func callAsFunction(_ x: [Float], rows: Int) -> [Float] {
            let width = weight.count
            var y = x
            for row in 0..<rows {
                var mean = 0.0, square = 0.0
                for j in 0..<width { mean += Double(x[row * width + j]) }
                mean /= Double(width)
                for j in 0..<width { let d = Double(x[row * width + j]) - mean; square += d * d }
                let scale = 1 / (square / Double(width) + Double(epsilon)).squareRoot()
                for j in 0..<width {
                    y[row * width + j] = Float((Double(x[row * width + j]) - mean) * scale) * weight[j] + bias[j]
                }
            }
            return y
        }
    }

    /// One layer's weights.
    public struct Layer: Sendable {
        public let query: Linear, key: Linear, value: Linear, output: Linear
        public let norm1: LayerNorm, norm2: LayerNorm
        public let hidden: Linear, projection: Linear
        /// DINOv2's layer scale: per-channel factors on each branch before its residual sum.
        public let scale1: [Float]?, scale2: [Float]?

        public init(query: Linear, key: Linear, value: Linear, output: Linear, norm1: LayerNorm, norm2: LayerNorm,
                    hidden: Linear, projection: Linear, scale1: [Float]? = nil, scale2: [Float]? = nil) {
            (self.query, self.key, self.value, self.output) = (query, key, value, output)
            (self.norm1, self.norm2, self.hidden, self.projection, self.scale1, self.scale2) = (norm1, norm2, hidden, projection, scale1, scale2)
        }
    }

    public let layers: [Layer]
    public let heads: Int
    public let norm: Norm
    public let activation: Activation

    public init(layers: [Layer], heads: Int, norm: Norm, activation: Activation) throws {
        guard let width = layers.first?.query.inputs, width % heads == 0 else {
            throw LocatedError("transformer: \(layers.first?.query.inputs ?? 0) channels do not split into \(heads) heads")
        }
        (self.layers, self.heads, self.norm, self.activation) = (layers, heads, norm, activation)
    }

    /// Runs every layer over one sequence of `tokens` rows (no padding: one sentence or image).
    public func callAsFunction(_ input: [Float], tokens: Int) -> [Float] {
        var x = input
        for layer in layers {
            switch norm {
            case .pre:
                x = add(x, scaled(attention(layer.norm1(x, rows: tokens), layer, tokens: tokens), layer.scale1, tokens))
                x = add(x, scaled(mlp(layer.norm2(x, rows: tokens), layer, tokens: tokens), layer.scale2, tokens))
            case .post:
                x = layer.norm1(add(x, attention(x, layer, tokens: tokens)), rows: tokens)
                x = layer.norm2(add(x, mlp(x, layer, tokens: tokens)), rows: tokens)
            }
        }
        return x
    }

    private func attention(_ x: [Float], _ layer: Layer, tokens: Int) -> [Float] {
        let width = layer.query.outputs, size = width / heads
        let q = layer.query(x, rows: tokens), k = layer.key(x, rows: tokens), v = layer.value(x, rows: tokens)
        var context = [Float](repeating: 0, count: tokens * width)
        var scores = [Float](repeating: 0, count: tokens * tokens)
        let scale = 1 / Float(size).squareRoot()
        for head in 0..<heads {
            let offset = head * size
            q.withUnsafeBufferPointer { qp in
                k.withUnsafeBufferPointer { kp in
                    scores.withUnsafeMutableBufferPointer { sp in
                        sgemm(transposeA: false, transposeB: true, m: tokens, n: tokens, k: size, alpha: scale,
                              a: qp.baseAddress! + offset, lda: width, b: kp.baseAddress! + offset, ldb: width,
                              c: sp.baseAddress!, ldc: tokens)
                    }
                }
            }
            for row in 0..<tokens {  // softmax over each query's keys
                var largest = -Float.infinity
                for j in 0..<tokens { largest = max(largest, scores[row * tokens + j]) }
                var sum: Float = 0
                for j in 0..<tokens { let e = expf(scores[row * tokens + j] - largest); scores[row * tokens + j] = e; sum += e }
                for j in 0..<tokens { scores[row * tokens + j] /= sum }
            }
            scores.withUnsafeBufferPointer { sp in
                v.withUnsafeBufferPointer { vp in
                    context.withUnsafeMutableBufferPointer { cp in
                        sgemm(transposeA: false, transposeB: false, m: tokens, n: size, k: tokens, a: sp.baseAddress!, lda: tokens,
                              b: vp.baseAddress! + offset, ldb: width, c: cp.baseAddress! + offset, ldc: width)
                    }
                }
            }
        }
        return layer.output(context, rows: tokens)
    }

    private func mlp(_ x: [Float], _ layer: Layer, tokens: Int) -> [Float] {
        var h = layer.hidden(x, rows: tokens)
        switch activation {
        case .gelu: for i in h.indices { h[i] = 0.5 * h[i] * (1 + erff(h[i] / 2.0.squareRoot().float)) }
        case .geluTanh:
            let c = (2 / Float.pi).squareRoot()
            for i in h.indices { let z = h[i]; h[i] = 0.5 * z * (1 + tanhf(c * (z + 0.044715 * z * z * z))) }
        case .quickGELU: for i in h.indices { h[i] = h[i] / (1 + expf(-1.702 * h[i])) }
        }
        return layer.projection(h, rows: tokens)
    }

    private func add(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 + $1 } }

    private func scaled(_ x: [Float], _ scale: [Float]?, _ tokens: Int) -> [Float] {
        guard let scale else { return x }
        var y = x
        for row in 0..<tokens { for j in scale.indices { y[row * scale.count + j] *= scale[j] } }
        return y
    }
}

private extension Double {
    var float: Float { Float(self) }
}
