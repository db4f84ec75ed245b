import Foundation

// Element-wise operations. Binary operations broadcast (NumPy rules) by expanding their
// inputs first, so each kernel below sees equal shapes and each chain rule is one line.

@inline(__always)
private func mapUnary(_ x: Tensor, _ f: (Float) -> Float) -> Storage {
    let out = Storage(count: x.count)
    let source = x.storage.pointer, destination = out.pointer
    parallelChunks(x.count) { range in
        for i in range { destination[i] = f(source[i]) }
    }
    return out
}

@inline(__always)
private func mapBinary(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Storage {
    let out = Storage(count: a.count)
    let x = a.storage.pointer, y = b.storage.pointer, destination = out.pointer
    parallelChunks(a.count) { range in
        for i in range { destination[i] = f(x[i], y[i]) }
    }
    return out
}

/// Expands both operands to their common shape.
private func broadcastPair(_ a: Tensor, _ b: Tensor, _ operation: String) -> (Tensor, Tensor) {
    if a.shape == b.shape { return (a, b) }
    guard let shape = Broadcasting.shape(a.shape, b.shape) else {
        preconditionFailure("\(operation): shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    return (a.broadcast(to: shape), b.broadcast(to: shape))
}

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = broadcastPair(a, b, "add")
        return result("add", shape: a.shape, storage: mapBinary(a, b, +), inputs: [a, b]) { g, _, _ in [g, g] }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = broadcastPair(a, b, "subtract")
        return result("subtract", shape: a.shape, storage: mapBinary(a, b, -), inputs: [a, b]) { g, _, needs in
            [g, needs[1] ? -g : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = broadcastPair(a, b, "multiply")
        return result("multiply", shape: a.shape, storage: mapBinary(a, b, *), inputs: [a, b]) { g, _, needs in
            [needs[0] ? g * b : nil, needs[1] ? g * a : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (a, b) = broadcastPair(a, b, "divide")
        return result("divide", shape: a.shape, storage: mapBinary(a, b, /), inputs: [a, b]) { g, out, needs in
            [needs[0] ? g / b : nil, needs[1] ? -(g * out / b) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor { x * Float(-1) }

    /// x · c for a constant c.
    public static func * (x: Tensor, c: Float) -> Tensor {
        result("scale", shape: x.shape, storage: mapUnary(x) { $0 * c }, inputs: [x]) { g, _, _ in [g * c] }
    }

    public static func * (c: Float, x: Tensor) -> Tensor { x * c }

    /// x + c for a constant c.
    public static func + (x: Tensor, c: Float) -> Tensor {
        result("add scalar", shape: x.shape, storage: mapUnary(x) { $0 + c }, inputs: [x]) { g, _, _ in [g] }
    }

    public static func - (x: Tensor, c: Float) -> Tensor { x + (-c) }

    public static func + (c: Float, x: Tensor) -> Tensor { x + c }

    /// c − x for a constant c.
    public static func - (c: Float, x: Tensor) -> Tensor { -x + c }

    public func squared() -> Tensor { self * self }

    public func sqrt() -> Tensor {
        Tensor.result("sqrt", shape: shape, storage: mapUnary(self) { $0.squareRoot() }, inputs: [self]) { g, out, _ in
            [g * 0.5 / out]
        }
    }

    public func exp() -> Tensor {
        Tensor.result("exp", shape: shape, storage: mapUnary(self) { Foundation.exp($0) }, inputs: [self]) { g, out, _ in
            [g * out]
        }
    }

    public func log() -> Tensor {
        Tensor.result("log", shape: shape, storage: mapUnary(self) { Foundation.log($0) }, inputs: [self]) { [self] g, _, _ in
            [g / self]
        }
    }

    public func tanh() -> Tensor {
        Tensor.result("tanh", shape: shape, storage: mapUnary(self) { Foundation.tanh($0) }, inputs: [self]) { g, out, _ in
            [g * (1 - out * out)]
        }
    }

    public func sigmoid() -> Tensor {
        let values = mapUnary(self) { 1 / (1 + Foundation.exp(-$0)) }
        return Tensor.result("sigmoid", shape: shape, storage: values, inputs: [self]) { g, out, _ in
            [g * out * (1 - out)]
        }
    }

    public func relu() -> Tensor { leakyRelu(slope: 0) }

    /// max(x, 0) + slope · min(x, 0).
    public func leakyRelu(slope: Float) -> Tensor {
        let values = mapUnary(self) { $0 > 0 ? $0 : $0 * slope }
        return Tensor.result(slope == 0 ? "relu" : "leaky relu", shape: shape, storage: values, inputs: [self]) { [self] g, _, _ in
            [g.maskedLike(self, negativeSlope: slope)]
        }
    }

    /// g where `reference` > 0 and g · slope elsewhere: the chain rule of (leaky) ReLU.
    ///
    /// Its derivative with respect to `reference` is zero almost everywhere, so no graph edge
    /// leads there: gradients of gradients skip the forward activations entirely (PyTorch
    /// propagates explicit zeros through them instead).
    public func maskedLike(_ reference: Tensor, negativeSlope slope: Float) -> Tensor {
        precondition(shape == reference.shape, "mask \(reference.shape) for \(shape)")
        let values = mapBinary(self, reference) { g, r in r > 0 ? g : g * slope }
        return Tensor.result("relu mask", shape: shape, storage: values, inputs: [self]) { g, _, _ in
            [g.maskedLike(reference, negativeSlope: slope)]
        }
    }
}

extension Tensor {
    /// log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so it never overflows: the
    /// non-saturating GAN losses are softplus of the discriminator's logits.
    public func softplus() -> Tensor {
        let values = mapUnary(self) { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }
        return Tensor.result("softplus", shape: shape, storage: values, inputs: [self]) { [self] g, _, _ in
            [g * self.sigmoid()]
        }
    }
}
