import CBLAS

/// A software stand-in for the bf16 backend, for tests: the operands are copied, each
/// element passed through `operand` (e.g. software round-to-nearest-even, or a random
/// relative perturbation of at most 2⁻⁸), then multiplied by OpenBLAS in fp32.
///
/// Set, it replaces oneDNN while `Engine.precision` is bf16; the fp32 path never looks at it.
/// Public (not `@testable`) because the tests' shared support target, an ordinary target,
/// sets it, and ordinary targets are built in release too, where nothing is testable.
public enum EmulatedBF16GEMM {
    nonisolated(unsafe) public static var operand: ((Float) -> Float)?

    static func multiply(_ operand: (Float) -> Float, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                         alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let aCount = (transposeA ? k - 1 : m - 1) * lda + (transposeA ? m : k)
        let bCount = (transposeB ? n - 1 : k - 1) * ldb + (transposeB ? k : n)
        let a2 = UnsafeBufferPointer(start: a, count: aCount).map(operand)
        let b2 = UnsafeBufferPointer(start: b, count: bCount).map(operand)
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a2, Int32(lda), b2, Int32(ldb), beta, c, Int32(ldc))
    }
}
