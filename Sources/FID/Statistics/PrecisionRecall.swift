import Basics
import CBLAS
import Foundation

/// The k-nearest-neighbour balls of a feature set (Kynkäänniemi, Karras, Laine, Lehtinen &
/// Aila, *Improved Precision and Recall Metric for Assessing Generative Models*, NeurIPS
/// 2019): around each feature, a ball reaching its k-th nearest other feature. Their union
/// estimates the set's manifold.
///
/// ```swift
/// let manifold = try FeatureManifold(real)          // k = 3
/// let precision = manifold.coverage(of: generated)  // the share of generated features inside
/// ```
public struct FeatureManifold: Sendable {
    public let features: FeatureSet
    /// k: which neighbour bounds each ball.
    public let neighbourhood: Int
    /// Squared Euclidean radius of each feature's ball.
    let squaredRadii: [Double]
    private let rows: [Double]
    private let squaredNorms: [Double]

    /// Kynkäänniemi et al.'s and torch-fidelity's k.
    public static let defaultNeighbourhood = 3

    /// - throws: `LocatedError` for k < 1 or a set of k features or fewer (a ball needs k others).
    public init(_ features: FeatureSet, neighbourhood k: Int = defaultNeighbourhood) throws {
        guard k >= 1 else { throw LocatedError("precision/recall: the neighbourhood k must be at least 1, not \(k)") }
        try features.checkComparable(with: features, metric: "precision/recall", minimum: k + 1,
                                     why: "that k = \(k) nearest neighbours need")
        self.features = features
        neighbourhood = k
        rows = features.doubles()
        squaredNorms = Self.squaredNorms(rows, dimensions: features.dimensions)
        let n = features.count
        var radii = [Double](repeating: 0, count: n)
        // The k+1 smallest squared distances of each row, itself (exactly 0) included.
        var nearest = [Double](repeating: 0, count: k + 1)
        Self.forEachDistanceRow(from: rows, squaredNorms, to: rows, squaredNorms, dimensions: features.dimensions) { i, row in
            var filled = 0
            for j in 0..<n {
                let value = j == i ? 0 : row[j]
                if filled <= k {
                    nearest[filled] = value
                    filled += 1
                    var slot = filled - 1
                    while slot > 0 && nearest[slot - 1] > nearest[slot] { nearest.swapAt(slot, slot - 1); slot -= 1 }
                } else if value < nearest[k] {
                    nearest[k] = value
                    var slot = k
                    while slot > 0 && nearest[slot - 1] > nearest[slot] { nearest.swapAt(slot, slot - 1); slot -= 1 }
                }
            }
            radii[i] = nearest[k]
        }
        squaredRadii = radii
    }

    /// Euclidean radius of each feature's ball.
    public var radii: [Double] { squaredRadii.map { $0.squareRoot() } }

    /// The share of `other`'s features that lie in at least one ball (on its edge counts).
    /// - throws: `LocatedError` when the widths differ or `other` is empty.
    public func coverage(of other: FeatureSet) throws -> Double {
        try features.checkComparable(with: other, metric: "precision/recall", minimum: 1, why: "needed")
        let otherRows = other.doubles()
        var inside = 0
        Self.forEachDistanceRow(from: otherRows, Self.squaredNorms(otherRows, dimensions: other.dimensions),
                                to: rows, squaredNorms, dimensions: features.dimensions) { _, row in
            for j in 0..<squaredRadii.count where row[j] <= squaredRadii[j] {
                inside += 1
                break
            }
        }
        return Double(inside) / Double(other.count)
    }

    /// For each of `other`'s features, how many balls hold it strictly inside; for each ball,
    /// how many of `other`'s features it holds (what density and coverage count).
    /// - throws: `LocatedError` when the widths differ or `other` is empty.
    func strictMemberships(of other: FeatureSet) throws -> (ballsHoldingEach: [Int], generatedInEach: [Int]) {
        try features.checkComparable(with: other, metric: "density/coverage", minimum: 1, why: "needed")
        let otherRows = other.doubles()
        var holding = [Int](repeating: 0, count: other.count), held = [Int](repeating: 0, count: squaredRadii.count)
        Self.forEachDistanceRow(from: otherRows, Self.squaredNorms(otherRows, dimensions: other.dimensions),
                                to: rows, squaredNorms, dimensions: features.dimensions) { i, row in
            for j in 0..<squaredRadii.count where row[j] < squaredRadii[j] {
                holding[i] += 1
                held[j] += 1
            }
        }
        return (holding, held)
    }

    private static func squaredNorms(_ rows: [Double], dimensions d: Int) -> [Double] {
        (0..<(rows.count / d)).map { i in (0..<d).reduce(0) { $0 + rows[i * d + $1] * rows[i * d + $1] } }
    }

    /// Calls `body(i, distances)` for every row i of `a` with its squared Euclidean distances
    /// to every row of `b` (‖aᵢ‖² + ‖bⱼ‖² − 2aᵢᵀbⱼ, clamped at 0), computed by GEMM in blocks
    /// of rows that keep each block near 32 MiB.
    private static func forEachDistanceRow(from a: [Double], _ aNorms: [Double], to b: [Double], _ bNorms: [Double],
                                           dimensions d: Int, _ body: (Int, UnsafeBufferPointer<Double>) -> Void) {
        let (m, n) = (aNorms.count, bNorms.count)
        let block = max(1, min(m, (4 << 20) / max(n, 1)))
        var dots = [Double](repeating: 0, count: block * n)
        for start in stride(from: 0, to: m, by: block) {
            let rows = min(block, m - start)
            a.withUnsafeBufferPointer { source in
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(d), 1,
                            source.baseAddress! + start * d, Int32(d), b, Int32(d), 0, &dots, Int32(n))
            }
            for r in 0..<rows {
                let i = start + r
                for j in 0..<n { dots[r * n + j] = max(0, aNorms[i] + bNorms[j] - 2 * dots[r * n + j]) }
                dots.withUnsafeBufferPointer { body(i, UnsafeBufferPointer(rebasing: $0[(r * n)..<((r + 1) * n)])) }
            }
        }
    }
}

/// Improved precision and recall of generated features against real ones: precision, the
/// share of generated features inside the real set's k-NN balls; recall, the share of real
/// features inside the generated set's (Kynkäänniemi et al. 2019; torch-fidelity's `prc`).
public struct PrecisionRecall: Equatable, Sendable {
    public let precision: Double
    public let recall: Double
    public let neighbourhood: Int

    /// - throws: `LocatedError` when the two manifolds' k or widths differ.
    public init(real: FeatureManifold, generated: FeatureManifold) throws {
        guard real.neighbourhood == generated.neighbourhood else {
            throw LocatedError("precision/recall: the real balls use k = \(real.neighbourhood), the generated k = \(generated.neighbourhood)")
        }
        precision = try real.coverage(of: generated.features)
        recall = try generated.coverage(of: real.features)
        neighbourhood = real.neighbourhood
    }

    /// - throws: `LocatedError` for sets of different widths or with k features or fewer.
    public init(real: FeatureSet, generated: FeatureSet, neighbourhood k: Int = FeatureManifold.defaultNeighbourhood) throws {
        try real.checkComparable(with: generated, metric: "precision/recall", minimum: k + 1,
                                 why: "that k = \(k) nearest neighbours need")
        try self.init(real: FeatureManifold(real, neighbourhood: k), generated: FeatureManifold(generated, neighbourhood: k))
    }
}
