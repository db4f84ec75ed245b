import Basics
import Foundation

/// The feature vectors of one image set, row-major `count × dimensions` (float32, as the
/// feature networks make them): what KID and precision/recall compare, where FID needs only
/// their mean and covariance.
///
/// ```swift
/// let real = try FeatureSet(extractor.features(of: images, range: 0..<images.count), dimensions: 2048, source: "real/")
/// ```
public struct FeatureSet: Equatable, Sendable {
    public let values: [Float]
    public let dimensions: Int
    /// Where the features come from, for messages.
    public let source: String

    /// - throws: `LocatedError` naming the source when `values` is not a whole number of
    ///   `dimensions`-wide rows or holds NaN or infinite values.
    public init(_ values: [Float], dimensions: Int, source: String) throws {
        guard dimensions > 0, values.count % dimensions == 0 else {
            throw LocatedError(file: source, "\(values.count) feature values are not rows of \(dimensions)")
        }
        guard values.allSatisfy(\.isFinite) else { throw LocatedError(file: source, "the features hold NaN or infinite values") }
        self.values = values
        self.dimensions = dimensions
        self.source = source
    }

    public var count: Int { values.count / dimensions }

    /// Rows `rows` (all when nil) as float64, row-major.
    func doubles(rows: [Int]? = nil) -> [Double] {
        guard let rows else { return values.map(Double.init) }
        var out = [Double](repeating: 0, count: rows.count * dimensions)
        for (slot, row) in rows.enumerated() {
            for column in 0..<dimensions { out[slot * dimensions + column] = Double(values[row * dimensions + column]) }
        }
        return out
    }

    /// Checks that `self` and `other` can be compared by `metric`: the same width, and at
    /// least `minimum` features each (`why` says what needs them).
    /// - throws: `LocatedError` naming the set at fault.
    func checkComparable(with other: FeatureSet, metric: String, minimum: Int, why: String) throws {
        guard dimensions == other.dimensions else {
            throw LocatedError("\(metric): the features of \(source) have \(dimensions) dimensions, those of \(other.source) \(other.dimensions)")
        }
        for set in [self, other] where set.count < minimum {
            throw LocatedError(file: set.source, "\(metric): \(set.count == 0 ? "no features" : "\(set.count) features"), fewer than the \(minimum) \(why)")
        }
    }
}
