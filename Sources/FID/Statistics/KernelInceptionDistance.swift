import Basics
import CBLAS
import Foundation

/// The Kernel Inception Distance (Bińkowski, Sutherland, Arbel & Gretton, *Demystifying MMD
/// GANs*, ICLR 2018) as torch-fidelity computes it: the unbiased estimate of the squared
/// maximum mean discrepancy under the cubic polynomial kernel k(x, y) = (xᵀy/d + 1)³, over
/// random subsets of both sets; their mean and (population) standard deviation.
public struct KernelInceptionDistance: Equatable, Sendable {
    public let mean: Double
    public let standardDeviation: Double
    /// Each subset's MMD², in drawing order.
    public let subsetValues: [Double]
    public let subsetSize: Int

    /// torch-fidelity's defaults: subsets of 1,000 features, 100 subsets.
    public static let defaultSubsetSize = 1000
    public static let defaultSubsets = 100
}

/// Which features of each set one KID subset takes (row indices, no repeats, equal counts).
public struct KIDSubset: Equatable, Sendable {
    public let first: [Int]
    public let second: [Int]

    public init(first: [Int], second: [Int]) {
        self.first = first
        self.second = second
    }

    /// `subsets` subsets of `size` rows of each set, drawn without replacement from `random`
    /// (for each subset the first set's rows, then the second's, by partial Fisher–Yates).
    public static func draw(_ subsets: Int, size: Int, from firstCount: Int, and secondCount: Int,
                            using random: inout RandomSource) -> [KIDSubset] {
        func sample(_ n: Int) -> [Int] {
            var rows = Array(0..<n)
            for i in 0..<size { rows.swapAt(i, i + random.nextInt(below: n - i)) }
            return Array(rows[0..<size])
        }
        return (0..<subsets).map { _ in
            let first = sample(firstCount)
            return KIDSubset(first: first, second: sample(secondCount))
        }
    }
}

/// KID between two feature sets, over `subsets` random subsets of `subsetSize` features of
/// each, drawn from a `RandomSource` seeded with `seed`.
///
/// ```swift
/// let kid = try kernelInceptionDistance(generated, real)   // 100 subsets of 1,000
/// print(kid.mean, kid.standardDeviation)
/// ```
/// - throws: `LocatedError` for sets of different widths, a set with fewer features than the
///   subset size (or none), a subset size below 2 or no subsets.
public func kernelInceptionDistance(_ first: FeatureSet, _ second: FeatureSet,
                                    subsetSize: Int = KernelInceptionDistance.defaultSubsetSize,
                                    subsets: Int = KernelInceptionDistance.defaultSubsets,
                                    seed: UInt64 = 2020) throws -> KernelInceptionDistance {
    try checkKID(first, second, subsetSize: subsetSize, subsets: subsets)
    var random = RandomSource(seed: seed)
    return try kernelInceptionDistance(first, second, subsets: KIDSubset.draw(subsets, size: subsetSize, from: first.count,
                                                                               and: second.count, using: &random))
}

/// KID over the given subsets (e.g. the ones another implementation drew).
/// - throws: `LocatedError` as above, or for a subset whose rows are out of range or unequal in number.
public func kernelInceptionDistance(_ first: FeatureSet, _ second: FeatureSet,
                                    subsets: [KIDSubset]) throws -> KernelInceptionDistance {
    let size = subsets.first?.first.count ?? 0
    try checkKID(first, second, subsetSize: size, subsets: subsets.count)
    for subset in subsets {
        guard subset.first.count == size, subset.second.count == size,
              subset.first.allSatisfy({ (0..<first.count).contains($0) }),
              subset.second.allSatisfy({ (0..<second.count).contains($0) }) else {
            throw LocatedError("KID: every subset must take \(size) rows of each set, within the sets")
        }
    }
    let values = subsets.map { subset in
        polynomialMMD(first.doubles(rows: subset.first), second.doubles(rows: subset.second), rows: size,
                      dimensions: first.dimensions)
    }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return KernelInceptionDistance(mean: mean, standardDeviation: variance.squareRoot(), subsetValues: values,
                                   subsetSize: size)
}

private func checkKID(_ first: FeatureSet, _ second: FeatureSet, subsetSize: Int, subsets: Int) throws {
    guard subsets >= 1 else { throw LocatedError("KID needs at least one subset") }
    guard subsetSize >= 2 else { throw LocatedError("KID's subset size must be at least 2 (the unbiased estimate), not \(subsetSize)") }
    try first.checkComparable(with: second, metric: "KID", minimum: subsetSize, why: "of a KID subset (a smaller --kid-subset-size, or more images)")
}

/// The unbiased MMD² of `x` and `y` (each `rows × dimensions`, row-major) under
/// k(a, b) = (aᵀb/d + 1)³: the mean of k over distinct pairs within each set, less twice its
/// mean over all pairs across them (torch-fidelity's `mmd2(…, mmd_est='unbiased')`, from
/// Bińkowski et al.'s MMD-GAN code). Gram matrices by BLAS in float64.
func polynomialMMD(_ x: [Double], _ y: [Double], rows m: Int, dimensions d: Int) -> Double {
    let gamma = 1 / Double(d)
    @inline(__always) func kernel(_ dot: Double) -> Double {
        let t = dot * gamma + 1
        return t * t * t
    }
    /// Σ_{i≠j} k(aᵢ, aⱼ): twice the sum over the upper triangle of the Gram matrix.
    func offDiagonalSum(_ a: [Double]) -> Double {
        var gram = [Double](repeating: 0, count: m * m)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(m), Int32(d), 1, a, Int32(d), 0, &gram, Int32(m))
        var sum = 0.0
        for i in 0..<m {
            for j in (i + 1)..<m { sum += kernel(gram[i * m + j]) }
        }
        return 2 * sum
    }
    var cross = [Double](repeating: 0, count: m * m)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(m), Int32(d), 1, x, Int32(d), y, Int32(d), 0,
                &cross, Int32(m))
    let crossSum = cross.reduce(0) { $0 + kernel($1) }
    let n = Double(m)
    return (offDiagonalSum(x) + offDiagonalSum(y)) / (n * (n - 1)) - 2 * crossSum / (n * n)
}
