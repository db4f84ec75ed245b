import Foundation

extension Tensor {
    /// Softmax over the last axis, computed with the row maximum subtracted for stability.
    public func softmax() -> Tensor {
        let width = shape[rank - 1]
        let rows = count / max(width, 1)
        let out = Storage(count: count)
        let source = storage.pointer, destination = out.pointer
        parallelFor(rows, minimumPerThread: 256) { row in
            let x = source + row * width, y = destination + row * width
            var maximum = -Float.infinity
            for i in 0..<width { maximum = Swift.max(maximum, x[i]) }
            var total: Float = 0
            for i in 0..<width {
                let e = Foundation.exp(x[i] - maximum)
                y[i] = e
                total += e
            }
            let scale = 1 / total
            for i in 0..<width { y[i] *= scale }
        }
        return Tensor.result("softmax", shape: shape, storage: out, inputs: [self]) { g, s, _ in
            // dx = s ⊙ (g − Σ_j g_j s_j), row by row.
            [s * (g - (g * s).sum(alongAxes: [-1]))]
        }
    }
}

extension Tensor {
    /// log softmax over the last axis: x − max − log Σ e^(x − max), for cross-entropy losses.
    public func logSoftmax() -> Tensor {
        let width = shape[rank - 1]
        let rows = count / max(width, 1)
        let out = Storage(count: count)
        let source = storage.pointer, destination = out.pointer
        parallelFor(rows, minimumPerThread: 256) { row in
            let x = source + row * width, y = destination + row * width
            var maximum = -Float.infinity
            for i in 0..<width { maximum = Swift.max(maximum, x[i]) }
            var total: Double = 0
            for i in 0..<width { total += Double(Foundation.exp(x[i] - maximum)) }
            let shift = maximum + Float(Foundation.log(total))
            for i in 0..<width { y[i] = x[i] - shift }
        }
        return Tensor.result("log softmax", shape: shape, storage: out, inputs: [self]) { g, out, _ in
            // dx = g − softmax · Σ_j g_j, row by row.
            [g - out.exp() * g.sum(alongAxes: [-1])]
        }
    }
}
