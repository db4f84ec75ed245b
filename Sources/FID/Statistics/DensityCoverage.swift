import Basics
import Foundation

/// Density and coverage of generated features against real ones (Naeem, Oh, Uh, Choi & Yoo,
/// *Reliable Fidelity and Diversity Metrics for Generative Models*, ICML 2020; the authors'
/// `prdc` package): with a ball around each real feature reaching its k-th nearest real
/// neighbour (k = 5 by default),
/// - density = (1/(k·M)) Σⱼ #{real balls holding generated feature j} — fidelity that, unlike
///   precision, counts how many balls, so an outlier real feature cannot vouch alone (it
///   exceeds 1 where generated features crowd the real manifold's dense parts);
/// - coverage = the share of real features whose ball holds at least one generated feature —
///   diversity measured from the real side, robust to generated outliers.
///
/// Strictly inside a ball, as `prdc` tests (`<`), where precision/recall follows
/// torch-fidelity (`<=`). Checked against `prdc` 0.2 by `DensityCoverageTests`.
///
/// ```swift
/// let dc = try DensityCoverage(real: realFeatures, generated: generatedFeatures)
/// print(dc.density, dc.coverage)
/// ```
public struct DensityCoverage: Equatable, Sendable {
    public let density: Double
    public let coverage: Double
    public let neighbourhood: Int

    /// The authors' default k.
    public static let defaultNeighbourhood = 5

    /// - throws: `LocatedError` for sets of different widths, an empty generated set, or k or
    ///   fewer real features.
    public init(real: FeatureSet, generated: FeatureSet, neighbourhood k: Int = defaultNeighbourhood) throws {
        try self.init(real: try FeatureManifold(real, neighbourhood: k), generated: generated)
    }

    /// - throws: `LocatedError` for sets of different widths or an empty generated set.
    public init(real: FeatureManifold, generated: FeatureSet) throws {
        let counts = try real.strictMemberships(of: generated)
        density = Double(counts.ballsHoldingEach.reduce(0, +)) / Double(real.neighbourhood * generated.count)
        coverage = Double(counts.generatedInEach.filter { $0 > 0 }.count) / Double(real.features.count)
        neighbourhood = real.neighbourhood
    }
}
