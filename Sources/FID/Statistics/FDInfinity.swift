import Basics
import Foundation

/// FD∞ (Chong & Forsyth, *Effectively Unbiased FID and Inception Score and where to find
/// them*, CVPR 2020), as dgm-eval's `compute_FD_infinity` computes it: the Fréchet distance is
/// biased upward by about slope/N at N generated samples, so it is measured on subsets of the
/// generated features at `points` sizes evenly spaced from min(5000, max(N/10, 2)) to N
/// (numpy's `linspace(…).astype(int32)`), each against the whole reference statistics, and the
/// least-squares line FD(n) = FD∞ + slope/n is read at 1/n = 0. Checked against
/// `scripts/fd_infinity_reference.py` (the same subsets replayed) by `FDInfinityTests`.
///
/// ```swift
/// let result = try FDInfinity(reference: realStatistics, generated: generatedFeatures, seed: 0)
/// print(result.value, result.points.last!.distance)   // FD∞, and FD at all N
/// ```
public struct FDInfinity: Sendable {
    /// The extrapolated distance (the line's intercept).
    public let value: Double
    /// The line's slope: the distance's bias times n.
    public let slope: Double
    /// Each subset's size and Fréchet distance.
    public let points: [(size: Int, distance: Double)]

    /// dgm-eval's number of sizes.
    public static let defaultPoints = 15

    /// dgm-eval's subset sizes for `count` generated features.
    public static func sampleSizes(count: Int, points: Int = defaultPoints) -> [Int] {
        let first = Double(min(5000, max(count / 10, 2))), last = Double(count)
        guard points > 1 else { return [Int(first)] }
        let step = (last - first) / Double(points - 1)
        return (0..<points).map { $0 == points - 1 ? Int(last) : Int(first + Double($0) * step) }
    }

    /// FD∞ from subsets drawn without replacement from `seed` (dgm-eval draws unseeded).
    /// - throws: `LocatedError` for fewer than 4 generated features, mismatched widths, or a
    ///   subset whose distance cannot be computed.
    public init(reference: FeatureStatistics, generated: FeatureSet, points: Int = defaultPoints, seed: UInt64 = 0) throws {
        guard generated.count >= 4 else {
            throw LocatedError(file: generated.source, "FD∞: \(generated.count) features; the fit needs subsets of at least 2 of at least 4")
        }
        var random = RandomSource(seed: seed)
        let subsets = Self.sampleSizes(count: generated.count, points: points).map { size -> [Int] in
            var pool = Array(0..<generated.count)
            for i in 0..<size { pool.swapAt(i, i + random.nextInt(below: pool.count - i)) }
            return Array(pool.prefix(size))
        }
        try self.init(reference: reference, generated: generated, subsets: subsets)
    }

    /// FD∞ over the given subsets of `generated` (row indices), e.g. replayed from another tool.
    /// - throws: `LocatedError` for mismatched widths, fewer than two distinct subset sizes, or
    ///   a subset of fewer than 2 features.
    public init(reference: FeatureStatistics, generated: FeatureSet, subsets: [[Int]]) throws {
        guard reference.dimensions == generated.dimensions else {
            throw LocatedError(file: generated.source, "FD∞: \(generated.dimensions) dimensions against reference statistics of \(reference.dimensions)")
        }
        guard Set(subsets.map(\.count)).count >= 2, subsets.allSatisfy({ $0.count >= 2 }) else {
            throw LocatedError(file: generated.source, "FD∞: the fit needs subsets of at least two sizes, each of at least 2 features")
        }
        points = try subsets.map { subset in
            var accumulator = StatisticsAccumulator(dimensions: generated.dimensions)
            let d = generated.dimensions
            let rows = subset.flatMap { generated.values[($0 * d) ..< ($0 * d + d)] }
            rows.withUnsafeBufferPointer { accumulator.add($0, rows: subset.count) }
            return (subset.count, try frechetDistance(reference, accumulator.statistics()).distance)
        }
        // Least squares of distance on 1/size.
        let x = points.map { 1 / Double($0.size) }, y = points.map(\.distance)
        let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let sxx = x.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
        slope = sxy / sxx
        value = meanY - slope * meanX
    }
}
