import CBLAS
import Foundation
import Tensors

/// The Fréchet distance between two Gaussians and what was noticed computing it.
public struct FrechetResult {
    /// ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr √(Σ₁Σ₂), never NaN, never negative.
    public let distance: Double
    /// Tr √(Σ₁Σ₂), from the eigenvalues.
    public let traceSqrt: Double
    /// Eigenvalues below zero that were clamped to zero.
    public let clampedEigenvalues: Int
    /// Human-readable notes: clamping, too few samples, the factorisation used.
    public let warnings: [String]
}

/// Fréchet distance d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2√(Σ₁Σ₂)) without a general matrix square root.
///
/// Σ₁Σ₂ is similar to the symmetric positive semi-definite matrix Fᵀ Σ₂ F for any factor
/// Σ₁ = F Fᵀ (F = √Σ₁ gives √Σ₁ Σ₂ √Σ₁), so Tr √(Σ₁Σ₂) = Σᵢ √λᵢ(Fᵀ Σ₂ F), with real
/// eigenvalues from LAPACK's symmetric solver. The fast path takes F from a Cholesky
/// factorisation (dpotrf); a singular Σ₁ falls back to F = V √Λ₊ from its eigen-decomposition
/// (negative eigenvalues clamped). Eigenvalues of Fᵀ Σ₂ F below zero are rounding noise of a
/// (near-)singular product and are clamped, with a warning. Dowson & Landau (1982) for the
/// distance; the similarity argument is the one behind scipy-free FID implementations.
///
/// ```swift
/// let result = try frechetDistance(statisticsA, statisticsB)
/// print(result.distance, result.warnings)
/// ```
/// - throws: `LocatedError` when dimensions differ, inputs hold NaN/∞, or LAPACK fails.
public func frechetDistance(_ first: FeatureStatistics, _ second: FeatureStatistics) throws -> FrechetResult {
    _ = Engine.blasCore   // OpenBLAS's fast kernels even where it misdetects the CPU
    let n = first.dimensions
    guard n == second.dimensions, n > 0 else {
        throw LocatedError("statistics have different dimensions: \(first.dimensions) and \(second.dimensions)")
    }
    for (name, statistics) in [("first", first), ("second", second)] {
        guard statistics.mean.allSatisfy(\.isFinite), statistics.covariance.allSatisfy(\.isFinite) else {
            throw LocatedError("the \(name) statistics hold NaN or infinite values")
        }
    }
    var warnings: [String] = []
    for (name, statistics) in [("first", first), ("second", second)] {
        if let count = statistics.sampleCount, count < n {
            warnings.append("the \(name) set has \(count) samples for \(n) feature dimensions: its covariance is singular and the FID is biased; use at least \(n) (pytorch-fid recommends 2048+ for 2048 dims)")
        }
    }

    let meanTerm = zip(first.mean, second.mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    var trace1 = 0.0, trace2 = 0.0
    for i in 0..<n {
        trace1 += first.covariance[i * n + i]
        trace2 += second.covariance[i * n + i]
    }

    // Symmetric matrices are the same in row- and column-major order; we use column-major.
    var (factor, factorNote) = try sqrtFactor(first.covariance, n: n)
    if let factorNote { warnings.append(factorNote) }
    // product = Fᵀ Σ₂ F.
    var product = [Double](repeating: 0, count: n * n)
    var temporary = [Double](repeating: 0, count: n * n)
    if factor.isLowerTriangular {
        temporary = second.covariance
        cblas_dtrmm(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, Int32(n), Int32(n), 1,
                    factor.values, Int32(n), &temporary, Int32(n))
        cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, Int32(n), Int32(n), 1,
                    factor.values, Int32(n), &temporary, Int32(n))
        product = temporary
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                    second.covariance, Int32(n), factor.values, Int32(n), 0, &temporary, Int32(n))
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                    factor.values, Int32(n), temporary, Int32(n), 0, &product, Int32(n))
    }
    factor.values = []
    let eigenvalues = try symmetricEigenvalues(&product, n: n)

    var traceSqrt = 0.0
    var clamped = 0
    var mostNegative = 0.0
    let largest = eigenvalues.max() ?? 0
    for value in eigenvalues {
        if value < 0 {
            clamped += 1
            mostNegative = min(mostNegative, value)
        } else {
            traceSqrt += value.squareRoot()
        }
    }
    if clamped > 0 {
        let relative = largest > 0 ? -mostNegative / largest : 1
        let kind = relative < 1e-8 ? "rounding noise of a singular product" : "the covariances are not positive semi-definite"
        warnings.append(String(format: "clamped %d negative eigenvalue(s) of √Σ₁Σ₂√Σ₁ to zero (most negative %.3g, %.3g of the largest: %@)",
                               clamped, mostNegative, relative, kind))
    }
    var distance = meanTerm + trace1 + trace2 - 2 * traceSqrt
    if distance < 0 {
        warnings.append(String(format: "the distance came out %.3g (rounding); reported as 0", distance))
        distance = 0
    }
    return FrechetResult(distance: distance, traceSqrt: traceSqrt, clampedEigenvalues: clamped, warnings: warnings)
}

/// A factor F with Σ = F Fᵀ, column-major.
struct CovarianceFactor {
    var values: [Double]
    var isLowerTriangular: Bool
}

/// Cholesky when Σ is positive definite; otherwise V √max(Λ, 0) (cold path), with a note
/// saying so.
func sqrtFactor(_ covariance: [Double], n: Int) throws -> (CovarianceFactor, String?) {
    var lower = covariance
    var info: Int32 = 0
    var order = Int32(n)
    "L".withCString { uplo in dpotrf_(uplo, &order, &lower, &order, &info) }
    if info == 0 {
        for column in 0..<n {
            for row in 0..<column { lower[column * n + row] = 0 }
        }
        return (CovarianceFactor(values: lower, isLowerTriangular: true), nil)
    }
    guard info > 0 else { throw LocatedError("LAPACK dpotrf rejected argument \(-info)") }
    return try eigenFactor(covariance, n: n)
}

@inline(never)
func eigenFactor(_ covariance: [Double], n: Int) throws -> (CovarianceFactor, String?) {
    var vectors = covariance
    let eigenvalues = try symmetricEigenvalues(&vectors, n: n, wantVectors: true)
    var clamped = 0
    for (column, value) in eigenvalues.enumerated() {
        if value < 0 { clamped += 1 }
        let scale = max(value, 0).squareRoot()
        for row in 0..<n { vectors[column * n + row] *= scale }
    }
    let note = "Σ₁ is singular (Cholesky failed): factored it by eigen-decomposition"
        + (clamped > 0 ? " and clamped \(clamped) negative eigenvalue(s) of Σ₁ to zero" : "")
    return (CovarianceFactor(values: vectors, isLowerTriangular: false), note)
}

/// Eigenvalues (ascending) of the symmetric column-major `matrix` by LAPACK's divide and
/// conquer dsyevd; with `wantVectors` the matrix is overwritten by the eigenvectors.
/// (dsyevd_2stage measured no faster here with OpenBLAS 0.3.21 on 2 cores.)
func symmetricEigenvalues(_ matrix: inout [Double], n: Int, wantVectors: Bool = false) throws -> [Double] {
    let solver = dsyevd_
    var order = Int32(n)
    var eigenvalues = [Double](repeating: 0, count: n)
    var info: Int32 = 0
    var workQuery = 0.0
    var iworkQuery: Int32 = 0
    var query: Int32 = -1
    let jobz = wantVectors ? "V" : "N"
    jobz.withCString { job in
        "L".withCString { uplo in
            solver(job, uplo, &order, &matrix, &order, &eigenvalues, &workQuery, &query, &iworkQuery, &query, &info)
        }
    }
    guard info == 0 else { throw LocatedError("LAPACK symmetric eigensolver workspace query failed (info \(info))") }
    var lwork = Int32(workQuery)
    var liwork = max(iworkQuery, 1)
    var work = [Double](repeating: 0, count: Int(lwork))
    var iwork = [Int32](repeating: 0, count: Int(liwork))
    jobz.withCString { job in
        "L".withCString { uplo in
            solver(job, uplo, &order, &matrix, &order, &eigenvalues, &work, &lwork, &iwork, &liwork, &info)
        }
    }
    guard info == 0 else { throw LocatedError("LAPACK symmetric eigensolver failed (info \(info))") }
    return eigenvalues
}
