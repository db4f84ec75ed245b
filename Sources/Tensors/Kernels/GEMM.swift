import CBLAS

/// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major: the engine's one GEMM interface.
/// `op(A)` is m×k (A stored k×m when transposed), `op(B)` is k×n.
///
/// The engine's one GEMM entry point: the training kernels and FID's Inception forward pass
/// both go through it, so a backend behind it serves both.
/// In `Engine.precision` fp32 it is OpenBLAS's `cblas_sgemm`; in bf16 the oneDNN backend
/// (`GEMM+oneDNN.swift`: operands rounded to bf16, fp32 accumulation and result).
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
    _ = KernelSelection.activeCore
    Engine.gemmFloatingPointOperations &+= 2 * m * n * k
    if Engine.precision == .bf16 {
        if let operand = EmulatedBF16GEMM.operand {
            EmulatedBF16GEMM.multiply(operand, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                      alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        OneDNNGEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
