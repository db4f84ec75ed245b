// Matrix products and 1-D convolutions: the operations that run on OpenBLAS.

extension Tensor {
    /// op(self) · op(other) for matrices, where op transposes when asked. A transposed
    /// operand is stored transposed: `a.matmul(b, transposeA: true)` is aᵀb with a of shape [k, m].
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul of \(shape) and \(other.shape)")
        let m = transposeA ? shape[1] : shape[0], k = transposeA ? shape[0] : shape[1]
        let kb = transposeB ? other.shape[1] : other.shape[0], n = transposeB ? other.shape[0] : other.shape[1]
        precondition(k == kb, "matmul: inner extents \(k) and \(kb) differ (\(shape) · \(other.shape))")
        let out = Storage(count: m * n)
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
              a: storage.pointer, lda: shape[1], b: other.storage.pointer, ldb: other.shape[1],
              c: out.pointer, ldc: n)
        let a = self, b = other
        return Tensor.result("matmul", shape: [m, n], storage: out, inputs: [a, b]) { g, _, needs in
            let da = !needs[0] ? nil
                : transposeA ? b.matmul(g, transposeA: transposeB, transposeB: true)
                : g.matmul(b, transposeA: false, transposeB: !transposeB)
            let db = !needs[1] ? nil
                : transposeB ? g.matmul(a, transposeA: true, transposeB: transposeA)
                : a.matmul(g, transposeA: !transposeA, transposeB: false)
            return [da, db]
        }
    }

    /// Width-k "same" convolution of channels-last activations: self [B, L, in], weight
    /// [k, in, out] (k odd), optional bias [out] → [B, L, out].
    public func conv1d(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(rank == 3 && weight.rank == 3 && weight.shape[1] == shape[2] && weight.shape[0] % 2 == 1,
                     "conv1d of input \(shape) with weight \(weight.shape)")
        let (batch, length, inChannels) = (shape[0], shape[1], shape[2])
        let (width, outChannels) = (weight.shape[0], weight.shape[2])
        let out = Storage(count: batch * length * outChannels)
        var beta: Float = 0
        if let bias {
            precondition(bias.shape == [outChannels], "conv1d bias \(bias.shape) for \(outChannels) channels")
            for row in 0..<(batch * length) {
                (out.pointer + row * outChannels).update(from: bias.storage.pointer, count: outChannels)
            }
            beta = 1
        }
        Convolution1DKernels.forward(x: storage.pointer, w: weight.storage.pointer, batch: batch, length: length,
                                     inChannels: inChannels, outChannels: outChannels, width: width,
                                     beta: beta, out: out.pointer)
        let x = self
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.result("conv1d", shape: [batch, length, outChannels], storage: out, inputs: inputs) { g, _, needs in
            [needs[0] ? g.conv1dInputGradient(weight: weight) : nil,
             needs[1] ? x.conv1dWeightGradient(outputGradient: g, width: width) : nil,
             needs.count > 2 && needs[2] ? g.sum(to: [outChannels]) : nil]
        }
    }

    /// The adjoint of `conv1d` in its input (a transposed convolution): self is a gradient
    /// [B, L, out], weight [k, in, out] → [B, L, in].
    public func conv1dInputGradient(weight: Tensor) -> Tensor {
        precondition(rank == 3 && weight.rank == 3 && weight.shape[2] == shape[2],
                     "conv1d input gradient of \(shape) with weight \(weight.shape)")
        let (batch, length, outChannels) = (shape[0], shape[1], shape[2])
        let (width, inChannels) = (weight.shape[0], weight.shape[1])
        let out = Storage(count: batch * length * inChannels)
        Convolution1DKernels.inputGradient(g: storage.pointer, w: weight.storage.pointer, batch: batch,
                                           length: length, inChannels: inChannels, outChannels: outChannels,
                                           width: width, dx: out.pointer)
        let g = self
        return Tensor.result("conv1d input gradient", shape: [batch, length, inChannels], storage: out,
                             inputs: [g, weight]) { u, _, needs in
            [needs[0] ? u.conv1d(weight: weight) : nil,
             needs[1] ? u.conv1dWeightGradient(outputGradient: g, width: width) : nil]
        }
    }

    /// The adjoint of `conv1d` in its weight: self is the input [B, L, in], `outputGradient`
    /// [B, L, out] → [k, in, out].
    public func conv1dWeightGradient(outputGradient g: Tensor, width: Int) -> Tensor {
        precondition(rank == 3 && g.rank == 3 && g.shape[0] == shape[0] && g.shape[1] == shape[1],
                     "conv1d weight gradient of input \(shape) and gradient \(g.shape)")
        let (batch, length, inChannels, outChannels) = (shape[0], shape[1], shape[2], g.shape[2])
        let out = Storage(count: width * inChannels * outChannels)
        Convolution1DKernels.weightGradient(x: storage.pointer, g: g.storage.pointer, batch: batch, length: length,
                                            inChannels: inChannels, outChannels: outChannels, width: width,
                                            dw: out.pointer)
        let x = self
        return Tensor.result("conv1d weight gradient", shape: [width, inChannels, outChannels], storage: out,
                             inputs: [x, g]) { u, _, needs in
            [needs[0] ? g.conv1dInputGradient(weight: u) : nil,
             needs[1] ? x.conv1d(weight: u) : nil]
        }
    }
}
