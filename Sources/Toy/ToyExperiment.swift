/// The paper's saddle-point experiment: its four settings, each run once from `seed` (the
/// plotted run), over `seeds` further seeds (how often each outcome occurs), and as an ensemble
/// of `ensembleSeeds` (the RMS distance to the saddle point, also past the paper's steps).
/// `Reports.ToyReport` draws what it returns.
///
///     let results = ToyExperiment.run(ToyExperiment.Options())
public enum ToyExperiment {
    public struct Options: Sendable {
        public var steps = 5_000
        public var seed: UInt64 = 0
        /// Seeds seed, seed + 1, … whose outcomes the summary counts.
        public var seeds = 20
        public var noise = 1.0
        /// Seeds of the ensemble (RMS distance) table, and how far past `steps` it looks.
        public var ensembleSeeds = 200
        public var ensembleHorizonFactor = 10
        public init() {}
    }

    /// One setting's plotted run and its outcomes over all seeds.
    public struct Result: Sendable {
        public var setting: SaddlePoint.Setting
        public var points: [(x: Double, y: Double)]
        public var outcome: SaddlePoint.Outcome
        public var verdictCounts: [SaddlePoint.Verdict: Int]
        public var medianTailDistance: Double
        public var ensemble: SaddlePoint.Ensemble
    }

    /// The steps at which the ensemble is measured: a tenth, a half and all of the run, then
    /// 2× and the horizon factor × past it.
    public static func ensembleSteps(_ options: Options) -> [Int] {
        let n = options.steps
        return Array(Set([max(n / 10, 1), max(n / 2, 1), n, 2 * n, options.ensembleHorizonFactor * n])).sorted()
    }

    /// Runs the four settings: each one plotted run, its outcome over `seeds` seeds, and the
    /// ensemble's RMS distance.
    public static func run(_ options: Options) -> [Result] {
        SaddlePoint.paperSettings.map { setting in
            let points = SaddlePoint.trajectory(setting, steps: options.steps, seed: options.seed, noise: options.noise)
            var counts: [SaddlePoint.Verdict: Int] = [:]
            var tails: [Double] = []
            for offset in 0..<max(options.seeds, 1) {
                let run = SaddlePoint.trajectory(setting, steps: options.steps, seed: options.seed &+ UInt64(offset),
                                                 noise: options.noise)
                let outcome = SaddlePoint.outcome(of: run, steps: options.steps)
                counts[outcome.verdict, default: 0] += 1
                tails.append(outcome.tailDistance)
            }
            tails.sort()
            let ensemble = SaddlePoint.ensemble(setting, seeds: options.ensembleSeeds, firstSeed: options.seed,
                                                steps: ensembleSteps(options), noise: options.noise)
            return Result(setting: setting, points: points, outcome: SaddlePoint.outcome(of: points, steps: options.steps),
                          verdictCounts: counts, medianTailDistance: tails[tails.count / 2], ensemble: ensemble)
        }
    }

}
