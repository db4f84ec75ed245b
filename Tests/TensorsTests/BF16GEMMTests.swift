@testable import Tensors
import XCTest
import _TestSupport

/// The bf16 GEMM backend (oneDNN) against a float64 reference, for every transpose and
/// alpha/beta combination the engine's kernels use, padded leading dimensions included.
///
/// Tolerance, derived (not tuned). With u = 2⁻⁸ (bf16's unit roundoff) each operand is
/// rounded once: â = a(1 + δ), b̂ = b(1 + ε), |δ|, |ε| ≤ u. The product âb̂ of two 8-bit
/// significands is exact in fp32, so |âb̂ − ab| ≤ (2u + u²)|ab|. Accumulating k products in
/// fp32, in whatever order oneDNN's blocking picks, adds at most γ_k Σ|âb̂| with
/// γ_k = k·2⁻²⁴ / (1 − k·2⁻²⁴) (Higham §3.1). Scaling by alpha and adding beta·C costs two
/// more fp32 roundings. So, with S_ij = Σ_k |a_ik||b_kj|,
///
///     |Ĉ_ij − C_ij| ≤ |alpha| S_ij (2u + u² + 2γ_k) + 2·2⁻²⁴ (|alpha| S_ij + |beta C⁰_ij|).
///
/// A rigorous bound: any element beyond it is a bug (a wrong stride, transpose, a missing
/// beta term), not rounding. That the operands really are bf16 is checked too: the largest
/// error must exceed what fp32 operands could produce (γ_k S).
final class BF16GEMMTests: XCTestCase {
    override func setUpWithError() throws { try BF16.requireAvailable() }

    /// Values uniform in [-1, 1) of a reproducible stream.
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var random = RandomSource(seed: seed)
        return (0..<count).map { _ in Float(random.nextUniform() * 2 - 1) }
    }

    private func check(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, beta: Float,
                       padding: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        // Stored shapes: A is m×k (k×m transposed), B is k×n (n×k transposed), each row padded.
        let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
        let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
        let lda = aColumns + padding, ldb = bColumns + padding, ldc = n + padding
        let a = values(aRows * lda, seed: seed), b = values(bRows * ldb, seed: seed + 1)
        let c0 = values(m * ldc, seed: seed + 2)
        var c = c0
        try Engine.withPrecision(.bf16) {
            sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: &c, ldc: ldc)
        }
        let u = BF16.unitRoundoff, unit32 = BF16.fp32UnitRoundoff
        let gammaK = Double(k) * unit32 / (1 - Double(k) * unit32)
        var largestError = 0.0, largestFP32Bound = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                    exact += x * y
                    magnitude += abs(x * y)
                }
                let before = Double(c0[i * ldc + j])
                let expected = Double(alpha) * exact + Double(beta) * before
                let bound = abs(Double(alpha)) * magnitude * (2 * u + u * u + 2 * gammaK)
                    + 2 * unit32 * (abs(Double(alpha)) * magnitude + abs(Double(beta) * before))
                let error = abs(Double(c[i * ldc + j]) - expected)
                if error > bound {
                    XCTFail("C[\(i), \(j)] = \(c[i * ldc + j]), expected \(expected) ± \(bound)", file: file, line: line)
                    return
                }
                largestError = max(largestError, error)
                largestFP32Bound = max(largestFP32Bound, abs(Double(alpha)) * magnitude * gammaK)
            }
        }
        // Padding columns of C are not written.
        for i in 0..<m {
            for j in n..<ldc where c[i * ldc + j] != c0[i * ldc + j] {
                XCTFail("C[\(i), \(j)] in the padding was written", file: file, line: line)
                return
            }
        }
        XCTAssertGreaterThan(largestError, largestFP32Bound, "no bf16 rounding visible: did fp32 run?",
                             file: file, line: line)
    }

    func testEveryTransposeAndBetaCombinationIsWithinTheBF16Bound() throws {
        var seed: UInt64 = 10
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for (alpha, beta) in [(Float(1), Float(0)), (1, 1), (0.5, -2)] {
                    for padding in [0, 3] {
                        try check(transposeA: transposeA, transposeB: transposeB, m: 37, n: 29, k: 70,
                                  alpha: alpha, beta: beta, padding: padding, seed: seed)
                        seed += 3
                    }
                }
            }
        }
    }

    func testConvolutionSizedGEMMsAreWithinTheBF16Bound() throws {
        // The shapes of a dim-64 language model's width-5 convolution (batch 4, length 32):
        // forward, input gradient (Bᵀ), weight gradient (Aᵀ), the last two with beta 1.
        try check(transposeA: false, transposeB: false, m: 128, n: 64, k: 320, alpha: 1, beta: 0, padding: 0, seed: 1)
        try check(transposeA: false, transposeB: true, m: 128, n: 320, k: 64, alpha: 1, beta: 1, padding: 0, seed: 2)
        try check(transposeA: true, transposeB: false, m: 320, n: 64, k: 128, alpha: 1, beta: 1, padding: 0, seed: 3)
    }

    func testOperandsAreRoundedToNearestEven() throws {
        // C = A · 1 with k = 1 returns bf16(A) exactly: the conversion itself, bit for bit,
        // against software round-to-nearest-even, ties included (1 + 2⁻⁸ lies halfway between
        // 1 and 1 + 2⁻⁷ and rounds to the even 1; 1 + 3·2⁻⁸ rounds up to 1 + 2⁻⁶).
        var a: [Float] = [1 + 0x1p-8, 1 + 3 * 0x1p-8, -(1 + 0x1p-8), 1 + 0x1p-8 + 0x1p-20, 3.14159265, -2.71828,
                          65504, 1e-30, -1e30, 0.1, 1 / 3, 0]
        a += values(500, seed: 99).map { $0 * 1000 }
        let one: [Float] = [1]
        var c = [Float](repeating: .nan, count: a.count)
        try Engine.withPrecision(.bf16) {
            sgemm(transposeA: false, transposeB: false, m: a.count, n: 1, k: 1, a: a, lda: 1, b: one, ldb: 1,
                  c: &c, ldc: 1)
        }
        for (x, y) in zip(a, c) {
            XCTAssertEqual(y.bitPattern, BF16.rounded(x).bitPattern, "bf16(\(x)) = \(y), expected \(BF16.rounded(x))")
        }
    }

    func testPublicOpsRunInBF16AndRestorePrecision() throws {
        // matmul through the public API in bf16 differs from fp32 by rounding, and the scoped
        // setting is restored afterwards.
        let a = GradientCheck.random([64, 96], seed: 5), b = GradientCheck.random([96, 48], seed: 6)
        let fp32 = a.matmul(b).scalars
        let bf16 = try Engine.withPrecision(.bf16) { a.matmul(b).scalars }
        XCTAssertEqual(Engine.precision, .fp32)
        XCTAssertNotEqual(fp32, bf16)
        XCTAssertEqual(a.matmul(b).scalars, fp32, "fp32 after the scope is the OpenBLAS result again")
        // The scale of the error: within the derived bound with S ≤ k (|a|, |b| ≤ 1).
        let bound = 96 * (2 * BF16.unitRoundoff + 0x1p-16 + 2 * 96 * BF16.fp32UnitRoundoff)
        for (x, y) in zip(fp32, bf16) { XCTAssertLessThanOrEqual(abs(Double(x) - Double(y)), bound + 96 * 0x1p-22) }
        XCTAssertFalse(Engine.bf16ImplementationsInUse.isEmpty)
    }

    func testPrimitivesAreMadeOncePerShapeAndThreadsFollowTheEngine() throws {
        func plans() -> Int { Engine.bf16ImplementationsInUse.values.reduce(0, +) }
        let a = values(31 * 23, seed: 7), b = values(23 * 19, seed: 8)
        var c = [Float](repeating: 0, count: 31 * 19)
        func multiply() throws {
            try Engine.withPrecision(.bf16) {
                sgemm(transposeA: false, transposeB: false, m: 31, n: 19, k: 23, a: a, lda: 23, b: b, ldb: 19, c: &c, ldc: 19)
            }
        }
        let threads = Engine.threads
        defer { Engine.setThreads(threads) }
        Engine.setThreads(2)
        try multiply()
        let afterFirst = plans()
        for _ in 0..<3 { try multiply() }
        XCTAssertEqual(plans(), afterFirst, "the same shape reuses its primitives")
        XCTAssertEqual(OpenMP.maxThreads(), 2)
        Engine.setThreads(1)
        try multiply()
        XCTAssertEqual(plans(), afterFirst + 1, "a thread count is part of a plan")
        XCTAssertEqual(OpenMP.maxThreads(), 1, "oneDNN's OpenMP team follows Engine.setThreads")
    }

    func testBF16PeakIsMeasured() throws {
        let peak = try XCTUnwrap(Diagnostics.bf16GemmPeak(m: 256, n: 256, k: 256, repeats: 1))
        XCTAssertGreaterThan(peak, 0)
    }
}
