import Foundation
import Tensors

/// What every run has, whichever GAN it trains: the batch, the budget, the cadence of
/// evaluations and checkpoints, threads and seed.
public struct RunSettings: Codable, Equatable, Sendable {
    /// The global batch (all ranks together).
    public var batch = 64
    /// Stop after this many iterations (nil: no limit).
    public var iterations: Int?
    /// Stop after this much training time in minutes, evaluation excluded (nil: no limit).
    public var minutes: Double?
    /// Evaluate (samples, scores, a log line) every this many iterations.
    public var evalEvery = 100
    public var checkpointEvery = 500
    public var keepCheckpoints = 3
    public var threads = 2
    /// Seeds the weights, the batches and the noise.
    public var seed: UInt64 = 0
    /// The GEMMs' arithmetic (`Engine.precision`), resolved when the run was made.
    public var precision = Precision.fp32

    public init() {}

    enum CodingKeys: String, CodingKey {
        case batch, iterations, minutes, evalEvery, checkpointEvery, keepCheckpoints, threads, seed, precision
        /// Round 1's image runs called the evaluation cadence so.
        case fidEvery
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        batch = try c.decode(Int.self, forKey: .batch)
        iterations = try c.decodeIfPresent(Int.self, forKey: .iterations)
        minutes = try c.decodeIfPresent(Double.self, forKey: .minutes)
        evalEvery = try c.decodeIfPresent(Int.self, forKey: .evalEvery) ?? c.decode(Int.self, forKey: .fidEvery)
        checkpointEvery = try c.decode(Int.self, forKey: .checkpointEvery)
        keepCheckpoints = try c.decode(Int.self, forKey: .keepCheckpoints)
        threads = try c.decode(Int.self, forKey: .threads)
        seed = try c.decode(UInt64.self, forKey: .seed)
        // Round 1's runs, made before bf16, ran in fp32.
        precision = try c.decodeIfPresent(String.self, forKey: .precision).map {
            guard let value = Precision(rawValue: $0) else {
                throw DecodingError.dataCorruptedError(forKey: .precision, in: c, debugDescription: "unknown precision \($0)")
            }
            return value
        } ?? .fp32
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(batch, forKey: .batch)
        try c.encodeIfPresent(iterations, forKey: .iterations)
        try c.encodeIfPresent(minutes, forKey: .minutes)
        try c.encode(evalEvery, forKey: .evalEvery)
        try c.encode(checkpointEvery, forKey: .checkpointEvery)
        try c.encode(keepCheckpoints, forKey: .keepCheckpoints)
        try c.encode(threads, forKey: .threads)
        try c.encode(seed, forKey: .seed)
        try c.encode(precision.rawValue, forKey: .precision)
    }

    /// The time budget in seconds.
    public var budgetSeconds: Double? { minutes.map { $0 * 60 } }
}

/// What one kind of GAN adds to a run's configuration: its sizes, schedule, learning rates
/// and evaluation settings.
public protocol GANSettings: Codable, Equatable, Sendable {
    /// Checks settings read back from a checkpoint or `config.json`.
    /// - throws: `LocatedError` naming what is wrong.
    func validate() throws
}

/// Everything that defines a training run; saved as `config.json` and inside every
/// checkpoint, so a resumed run continues with exactly the settings it started with. Both
/// parts are stored side by side in one flat JSON object (round 1's layout, so its
/// checkpoints still load).
public struct RunConfiguration<GAN: GANSettings>: Codable, Equatable, Sendable {
    public var run: RunSettings
    public var gan: GAN

    public init(run: RunSettings, gan: GAN) {
        self.run = run
        self.gan = gan
    }

    public init(from decoder: Decoder) throws {
        run = try RunSettings(from: decoder)
        gan = try GAN(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        try run.encode(to: encoder)
        try gan.encode(to: encoder)
    }

    /// The configuration with a new budget, as `--resume --iterations/--minutes` asks, and
    /// another precision when `--resume --precision` asks for one.
    public func resumed(iterations: Int?, minutes: Double?, precision: Precision? = nil) -> RunConfiguration {
        var copy = self
        if iterations != nil || minutes != nil {
            copy.run.iterations = iterations
            copy.run.minutes = minutes
        }
        if let precision { copy.run.precision = precision }
        return copy
    }
}
