/// A software stand-in for the bf16 backend, for tests: the operands are copied, each
/// element passed through `operand` (e.g. software round-to-nearest-even, or a random
/// relative perturbation of at most 2⁻⁸), then multiplied by OpenBLAS in fp32.
///
/// Set, it replaces oneDNN while `Engine.precision` is bf16; the fp32 path never looks at it.
/// Public (not `@testable`) because the tests' shared support target, an ordinary target,
/// sets it, and ordinary targets are built in release too, where nothing is testable.
public struct EmulatedBF16GEMM: GEMMBackend {
    nonisolated(unsafe) public static var operand: ((Float) -> Float)?

    /// What each operand element passes through.
    let operand: (Float) -> Float

    func multiply(_ call: GEMMCall) {
        let (m, n, k, lda, ldb) = (call.m, call.n, call.k, call.lda, call.ldb)
        let aCount = (call.transposeA ? k - 1 : m - 1) * lda + (call.transposeA ? m : k)
        let bCount = (call.transposeB ? n - 1 : k - 1) * ldb + (call.transposeB ? k : n)
        let a2 = UnsafeBufferPointer(start: call.a, count: aCount).map(operand)
        let b2 = UnsafeBufferPointer(start: call.b, count: bCount).map(operand)
        a2.withUnsafeBufferPointer { a in
            b2.withUnsafeBufferPointer { b in
                Engine.openBLAS.multiply(GEMMCall(transposeA: call.transposeA, transposeB: call.transposeB, m: m, n: n,
                                                  k: k, alpha: call.alpha, a: a.baseAddress!, lda: lda, b: b.baseAddress!,
                                                  ldb: ldb, beta: call.beta, c: call.c, ldc: call.ldc))
            }
        }
    }
}
