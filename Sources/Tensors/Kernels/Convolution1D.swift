/// Kernels of the width-`k` "same" 1-D convolution on channels-last activations
/// `[batch, length, channels]` with weights `[k, in, out]`.
///
/// out[b, l, o] = Σ_t Σ_i x[b, l + t − p, i] · w[t, i, o],  p = k / 2, zero outside the sequence.
///
/// All three use one large GEMM over an "im2col" matrix whose row (b, l) is the k input
/// rows around position l side by side: one GEMM with inner dimension k·in runs closer to
/// OpenBLAS's peak than k GEMMs with inner dimension in, and the copy costs a few percent.
enum Convolution1DKernels {
    /// cols[b·L + l, t·C + c] = x[b, l + t − p, c] (zero outside the sequence).
    static func im2col(_ x: UnsafePointer<Float>, batch: Int, length: Int, channels: Int, width: Int,
                       into cols: UnsafeMutablePointer<Float>) {
        let pad = width / 2
        let rowLength = width * channels
        parallelFor(batch * length, minimumPerThread: 64) { row in
            let l = row % length
            let sequenceStart = row - l
            let destination = cols + row * rowLength
            for t in 0..<width {
                let source = l + t - pad
                let block = destination + t * channels
                if source < 0 || source >= length {
                    block.update(repeating: 0, count: channels)
                } else {
                    block.update(from: x + (sequenceStart + source) * channels, count: channels)
                }
            }
        }
    }

    /// y[b, m, c] = Σ_t cols[b·L + (m − t + p), t·C + c] over rows inside the sequence:
    /// the adjoint of `im2col`.
    static func col2im(_ cols: UnsafePointer<Float>, batch: Int, length: Int, channels: Int, width: Int,
                       into y: UnsafeMutablePointer<Float>) {
        let pad = width / 2
        let rowLength = width * channels
        parallelFor(batch * length, minimumPerThread: 64) { row in
            let m = row % length
            let sequenceStart = row - m
            let destination = y + row * channels
            var first = true
            for t in 0..<width {
                let source = m - t + pad
                if source < 0 || source >= length { continue }
                let block = cols + (sequenceStart + source) * rowLength + t * channels
                if first {
                    destination.update(from: block, count: channels)
                    first = false
                } else {
                    for c in 0..<channels { destination[c] += block[c] }
                }
            }
            if first { destination.update(repeating: 0, count: channels) }
        }
    }

    /// out = conv(x, w): [B, L, in] ⊛ [k, in, out] → [B, L, out].
    static func forward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, batch: Int, length: Int,
                        inChannels: Int, outChannels: Int, width: Int, beta: Float = 0,
                        out: UnsafeMutablePointer<Float>) {
        let rows = batch * length
        if width == 1 {
            sgemm(transposeA: false, transposeB: false, m: rows, n: outChannels, k: inChannels,
                  a: x, lda: inChannels, b: w, ldb: outChannels, beta: beta, c: out, ldc: outChannels)
            return
        }
        let cols = Storage(count: rows * width * inChannels)
        im2col(x, batch: batch, length: length, channels: inChannels, width: width, into: cols.pointer)
        sgemm(transposeA: false, transposeB: false, m: rows, n: outChannels, k: width * inChannels,
              a: cols.pointer, lda: width * inChannels, b: w, ldb: outChannels, beta: beta, c: out, ldc: outChannels)
    }

    /// The input gradient: dx = convᵀ(g, w), [B, L, out] → [B, L, in].
    static func inputGradient(g: UnsafePointer<Float>, w: UnsafePointer<Float>, batch: Int, length: Int,
                              inChannels: Int, outChannels: Int, width: Int, dx: UnsafeMutablePointer<Float>) {
        let rows = batch * length
        if width == 1 {
            sgemm(transposeA: false, transposeB: true, m: rows, n: inChannels, k: outChannels,
                  a: g, lda: outChannels, b: w, ldb: outChannels, c: dx, ldc: inChannels)
            return
        }
        // cols[r, t·in + i] = Σ_o g[r, o] · w[t, i, o], then overlap-add back into positions.
        let cols = Storage(count: rows * width * inChannels)
        sgemm(transposeA: false, transposeB: true, m: rows, n: width * inChannels, k: outChannels,
              a: g, lda: outChannels, b: w, ldb: outChannels, c: cols.pointer, ldc: width * inChannels)
        col2im(cols.pointer, batch: batch, length: length, channels: inChannels, width: width, into: dx)
    }

    /// The weight gradient: dw[t, i, o] = Σ_{b,l} x[b, l + t − p, i] · g[b, l, o].
    static func weightGradient(x: UnsafePointer<Float>, g: UnsafePointer<Float>, batch: Int, length: Int,
                               inChannels: Int, outChannels: Int, width: Int, dw: UnsafeMutablePointer<Float>) {
        let rows = batch * length
        if width == 1 {
            sgemm(transposeA: true, transposeB: false, m: inChannels, n: outChannels, k: rows,
                  a: x, lda: inChannels, b: g, ldb: outChannels, c: dw, ldc: outChannels)
            return
        }
        let cols = Storage(count: rows * width * inChannels)
        im2col(x, batch: batch, length: length, channels: inChannels, width: width, into: cols.pointer)
        sgemm(transposeA: true, transposeB: false, m: width * inChannels, n: outChannels, k: rows,
              a: cols.pointer, lda: width * inChannels, b: g, ldb: outChannels, c: dw, ldc: outChannels)
    }
}
