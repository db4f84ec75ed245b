/// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major: the engine's one GEMM interface.
/// `op(A)` is m×k (A stored k×m when transposed), `op(B)` is k×n.
///
/// The engine's one GEMM entry point: the training kernels and FID's Inception forward pass
/// both go through it, so a backend behind it serves both. The backend follows
/// `Engine.precision`: fp32 runs on OpenBLAS (`GEMM+OpenBLAS.swift`), bf16 on oneDNN
/// (`GEMM+oneDNN.swift`: operands rounded to bf16, fp32 accumulation and result), or on the
/// tests' software stand-in (`GEMM+Emulation.swift`).
@inline(__always)
public func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
           alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
           b: UnsafePointer<Float>, ldb: Int,
           beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) } }
        return
    }
    Engine.gemmFloatingPointOperations &+= 2 * m * n * k
    Engine.gemmBackend.multiply(GEMMCall(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                         alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc))
}

/// One GEMM's arguments, as `sgemm` takes them (m, n, k > 0).
struct GEMMCall {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int
}

/// What every GEMM backend implements: C = alpha · op(A) · op(B) + beta · C, row-major, fp32
/// in and out (in what arithmetic it multiplies and on how many threads is its own concern,
/// following `Engine.threads`). Each backend lives in its own file; a device backend is one
/// more conformance and one more case below.
protocol GEMMBackend {
    func multiply(_ call: GEMMCall)
}

extension Engine {
    /// The backend for the current precision.
    static var gemmBackend: any GEMMBackend {
        switch precision {
        case .fp32: openBLAS
        case .bf16: EmulatedBF16GEMM.operand.map(EmulatedBF16GEMM.init(operand:)) ?? OneDNNGEMM()
        }
    }
}
