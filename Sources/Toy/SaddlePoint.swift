import Foundation
import Basics

/// The paper's toy min/max problem (Heusel et al. 2017, the saddle-point example of the
/// poster and appendix): f(x, y) = (1 + x²)(100 − y²), saddle point (0, 0) with f = 100,
/// gradient descent in x and ascent in y on gradients with additive Gaussian noise.
///
/// The update read here, and why: each learning rate scales the noisy gradient of its own
/// variable,
///
///     x ← x − a·(∂f/∂x + ε₁),  ∂f/∂x = 2x(100 − y²)
///     y ← y + b·(∂f/∂y + ε₂),  ∂f/∂y = −2y(1 + x²),   ε ~ N(0, σ²)
///
/// x first, then y from the updated x — the order of the authors' own toy script (which
/// also scales the noise by the learning rate, σ = 1, 5,000 steps, start (0.5, −0.4), and
/// the settings 0.01/0.01, 0.001/0.001, 0.0001/0.01 and 0.01/0.0001 for x/y; simulating
/// it, simultaneous updates give the same outcomes to three digits). "TTUR a / b" names a
/// (for x) first. Linearised at
/// the saddle, x is multiplied by 1 − 200a and y by 1 − 2b each step, so a = 1e-4 and
/// b = 1e-2 contract both coordinates at the same rate 0.98 — the straight run to the saddle
/// the paper describes for its fast TTUR setting — and a = 0.01 puts x exactly on the
/// stability boundary (|1 − 200a| = 1).
public enum SaddlePoint {
    public struct Setting: Sendable, Equatable {
        public var name: String
        /// Learning rate a of the descent in x.
        public var xLearningRate: Double
        /// Learning rate b of the ascent in y.
        public var yLearningRate: Double
        /// What the paper reports for this setting.
        public var paperClaim: String
        /// Whether the paper reports convergence.
        public var paperConverges: Bool

        /// How an outcome here compares with the paper's claim, in words.
        public func agreement(with verdict: Verdict) -> (agrees: Bool, text: String) {
            switch (paperConverges, verdict) {
            case (true, .converged), (false, .diverged): return (true, "agrees with the paper")
            case (true, .notConverged): return (false, "differs from the paper: not within reach of the saddle point when the steps run out")
            case (false, .notConverged):
                return (false, "partly agrees: it does not converge, but within these steps it does not blow up either")
            default: return (false, "differs from the paper")
            }
        }
    }

    /// The four settings of the paper's figure, rows one to four.
    public static let paperSettings: [Setting] = [
        Setting(name: "one time-scale, lr 0.01", xLearningRate: 0.01, yLearningRate: 0.01,
                paperClaim: "diverges", paperConverges: false),
        Setting(name: "one time-scale, lr 0.001", xLearningRate: 0.001, yLearningRate: 0.001,
                paperClaim: "converges", paperConverges: true),
        Setting(name: "TTUR 0.0001 / 0.01", xLearningRate: 0.0001, yLearningRate: 0.01,
                paperClaim: "converges, faster than one time-scale; moves directly to the saddle point", paperConverges: true),
        Setting(name: "TTUR 0.01 / 0.0001", xLearningRate: 0.01, yLearningRate: 0.0001,
                paperClaim: "converges, but slower", paperConverges: true),
    ]

    public static let start = (x: 0.5, y: -0.4)
    public static let saddleValue = 100.0

    public static func objective(_ x: Double, _ y: Double) -> Double { (1 + x * x) * (100 - y * y) }

    /// The iterates (x₀, y₀) … (x_steps, y_steps); stops early at a non-finite iterate.
    /// Every setting run with the same seed sees the same noise draws.
    public static func trajectory(_ setting: Setting, steps: Int, seed: UInt64, noise: Double = 1)
        -> [(x: Double, y: Double)] {
        var random = RandomSource(seed: seed)
        var (x, y) = start
        var points = [(x: x, y: y)]
        points.reserveCapacity(steps + 1)
        for _ in 0..<steps {
            let noiseX = noise * random.nextNormal(), noiseY = noise * random.nextNormal()
            x -= setting.xLearningRate * (2 * x * (100 - y * y) + noiseX)
            y += setting.yLearningRate * (-2 * y * (1 + x * x) + noiseY)  // with the new x
            guard x.isFinite, y.isFinite else { break }
            points.append((x, y))
        }
        return points
    }

    /// What happened, judged by a rule fixed in advance (not fitted to the results):
    /// diverged when an iterate is non-finite or ends up farther than 10 from the saddle
    /// (beyond |y| = 10 the x-curvature 2(100 − y²) changes sign and nothing pulls back);
    /// converged when the mean distance over the last tenth of the steps is below 0.1
    /// (a sixth of the start's 0.64); otherwise not converged.
    public enum Verdict: String, Sendable, CaseIterable {
        case converged = "converged"
        case notConverged = "did not converge"
        case diverged = "diverged"
    }

    public struct Outcome: Sendable {
        public var verdict: Verdict
        public var finalDistance: Double
        /// Mean distance to the saddle over the last tenth of the steps.
        public var tailDistance: Double
        public var finalObjective: Double
        /// The first step within 0.1 of the saddle, if any: how fast a setting gets there.
        public var firstWithin: Int?
    }

    public static let divergenceDistance = 10.0
    public static let convergenceDistance = 0.1

    public static func outcome(of points: [(x: Double, y: Double)], steps: Int) -> Outcome {
        let distances = points.map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }
        let last = points[points.count - 1]
        let tail = distances.suffix(max(1, distances.count / 10))
        let tailDistance = tail.reduce(0, +) / Double(tail.count)
        let verdict: Verdict
        if points.count < steps + 1 || distances.contains(where: { $0 > divergenceDistance }) {
            verdict = .diverged
        } else {
            verdict = tailDistance < convergenceDistance ? .converged : .notConverged
        }
        return Outcome(verdict: verdict, finalDistance: distances[distances.count - 1], tailDistance: tailDistance,
                       finalObjective: objective(last.x, last.y),
                       firstWithin: distances.firstIndex { $0 < convergenceDistance })
    }
}

extension SaddlePoint {
    /// The root-mean-square distance to the saddle over many seeded runs, at given steps:
    /// what the noise does on average, which one run cannot show. A setting diverges (in
    /// distribution) when this grows without bound, even if no single run blows up.
    public struct Ensemble: Sendable {
        public var seeds: Int
        /// (step, RMS distance over the seeds), in step order.
        public var rmsDistance: [(step: Int, value: Double)]

        public func value(at step: Int) -> Double? { rmsDistance.first { $0.step == step }?.value }
    }

    /// Runs `seeds` seeds from `firstSeed` for max(`steps`) steps and records the RMS distance
    /// at each of `steps`.
    public static func ensemble(_ setting: Setting, seeds: Int, firstSeed: UInt64 = 0, steps: [Int],
                                noise: Double = 1) -> Ensemble {
        let horizon = steps.max() ?? 0
        let wanted = Set(steps)
        var sums = [Int: Double]()
        for offset in 0..<seeds {
            var random = RandomSource(seed: firstSeed &+ UInt64(offset))
            var (x, y) = start
            for step in 1...max(horizon, 1) {
                let noiseX = noise * random.nextNormal(), noiseY = noise * random.nextNormal()
                x -= setting.xLearningRate * (2 * x * (100 - y * y) + noiseX)
                y += setting.yLearningRate * (-2 * y * (1 + x * x) + noiseY)
                if wanted.contains(step) { sums[step, default: 0] += x * x + y * y }
            }
        }
        return Ensemble(seeds: seeds, rmsDistance: steps.sorted().map { ($0, (sums[$0, default: .nan] / Double(seeds)).squareRoot()) })
    }
}
