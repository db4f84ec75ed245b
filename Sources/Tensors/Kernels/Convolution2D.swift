/// Kernels of the strided, zero-padded 2-D convolution on channels-last images
/// `[batch, height, width, channels]` with weights `[k, k, in, out]`.
///
/// out[b, y, x, o] = Σ_{i,j,c} in[b, y·s + i − p, x·s + j − p, c] · w[i, j, c, o],  zero outside.
///
/// As in 1-D, all three kernels (forward, input gradient, weight gradient) go through one
/// GEMM over an "im2col" matrix whose row (b, y, x) holds the k×k input patch.
enum Convolution2DKernels {
    struct Sizes {
        let batch: Int, height: Int, width: Int, inChannels: Int, outChannels: Int
        let geometry: Convolution2DGeometry
        var outHeight: Int { geometry.outputExtent(height) }
        var outWidth: Int { geometry.outputExtent(width) }
        var rows: Int { batch * outHeight * outWidth }
        var patch: Int { geometry.kernel * geometry.kernel * inChannels }
        /// A 1×1, stride-1, unpadded convolution is a plain GEMM on the activations.
        var isPointwise: Bool { geometry.kernel == 1 && geometry.stride == 1 && geometry.padding == 0 }
    }

    /// cols[(b·Ho + y)·Wo + x, (i·k + j)·C + c] = in[b, y·s + i − p, x·s + j − p, c].
    static func im2col(_ input: UnsafePointer<Float>, _ n: Sizes, into cols: UnsafeMutablePointer<Float>) {
        let (k, s, p) = (n.geometry.kernel, n.geometry.stride, n.geometry.padding)
        im2colRows(input, height: n.height, width: n.width, channels: n.inChannels, kernel: (k, k), stride: (s, s),
                   padding: (p, p), outputSize: (n.outHeight, n.outWidth), rows: 0..<n.rows, into: cols)
    }

    /// The adjoint of `im2col`: every patch entry is added back to the pixel it came from.
    static func col2im(_ cols: UnsafePointer<Float>, _ n: Sizes, into output: UnsafeMutablePointer<Float>) {
        let (k, s, p, c) = (n.geometry.kernel, n.geometry.stride, n.geometry.padding, n.inChannels)
        let (outH, outW) = (n.outHeight, n.outWidth)
        let image = n.height * n.width * c
        // One image per task: patches of different images never overlap.
        parallelFor(n.batch) { b in
            let destination = output + b * image
            destination.update(repeating: 0, count: image)
            for y in 0..<outH {
                for i in 0..<k {
                    let targetY = y * s + i - p
                    if targetY < 0 || targetY >= n.height { continue }
                    for x in 0..<outW {
                        let row = cols + ((b * outH + y) * outW + x) * n.patch
                        for j in 0..<k {
                            let targetX = x * s + j - p
                            if targetX < 0 || targetX >= n.width { continue }
                            let pixel = destination + (targetY * n.width + targetX) * c
                            let block = row + (i * k + j) * c
                            for channel in 0..<c { pixel[channel] += block[channel] }
                        }
                    }
                }
            }
        }
    }

    /// out = conv(in, w) (+ beta · out): [B, H, W, in] → [B, Ho, Wo, out].
    static func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ n: Sizes, beta: Float = 0,
                        out: UnsafeMutablePointer<Float>) {
        if n.isPointwise {
            sgemm(transposeA: false, transposeB: false, m: n.rows, n: n.outChannels, k: n.inChannels,
                  a: input, lda: n.inChannels, b: weight, ldb: n.outChannels, beta: beta, c: out, ldc: n.outChannels)
            return
        }
        let cols = Storage(count: n.rows * n.patch)
        im2col(input, n, into: cols.pointer)
        sgemm(transposeA: false, transposeB: false, m: n.rows, n: n.outChannels, k: n.patch,
              a: cols.pointer, lda: n.patch, b: weight, ldb: n.outChannels, beta: beta, c: out, ldc: n.outChannels)
    }

    /// The input gradient (a transposed convolution): [B, Ho, Wo, out] → [B, H, W, in].
    static func inputGradient(gradient: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ n: Sizes,
                              dx: UnsafeMutablePointer<Float>) {
        if n.isPointwise {
            sgemm(transposeA: false, transposeB: true, m: n.rows, n: n.inChannels, k: n.outChannels,
                  a: gradient, lda: n.outChannels, b: weight, ldb: n.outChannels, c: dx, ldc: n.inChannels)
            return
        }
        let cols = Storage(count: n.rows * n.patch)
        sgemm(transposeA: false, transposeB: true, m: n.rows, n: n.patch, k: n.outChannels,
              a: gradient, lda: n.outChannels, b: weight, ldb: n.outChannels, c: cols.pointer, ldc: n.patch)
        col2im(cols.pointer, n, into: dx)
    }

    /// The weight gradient: dw[i, j, c, o] = Σ_{b,y,x} patch[(b,y,x), (i,j,c)] · g[b, y, x, o].
    static func weightGradient(input: UnsafePointer<Float>, gradient: UnsafePointer<Float>, _ n: Sizes,
                               dw: UnsafeMutablePointer<Float>) {
        if n.isPointwise {
            sgemm(transposeA: true, transposeB: false, m: n.inChannels, n: n.outChannels, k: n.rows,
                  a: input, lda: n.inChannels, b: gradient, ldb: n.outChannels, c: dw, ldc: n.outChannels)
            return
        }
        let cols = Storage(count: n.rows * n.patch)
        im2col(input, n, into: cols.pointer)
        sgemm(transposeA: true, transposeB: false, m: n.patch, n: n.outChannels, k: n.rows,
              a: cols.pointer, lda: n.patch, b: gradient, ldb: n.outChannels, c: dw, ldc: n.outChannels)
    }
}
