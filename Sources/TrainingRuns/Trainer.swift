import Dispatch
import Foundation
import Tensors

/// What the loop reports after each iteration, for a progress line.
public struct TrainingProgress: Sendable {
    public var iteration: Int
    public var targetIterations: Int?
    public var seconds: Double
    public var budgetSeconds: Double?
    public var iterationsPerSecond: Double
    /// The GAN's losses and latest scores, in words.
    public var summary: String
    /// A warning raised by this iteration's evaluation (mode collapse), shown once.
    public var warning: String? = nil

    /// Seconds left: from the iteration target at the current rate, else from the time budget.
    public var remainingSeconds: Double? {
        if let targetIterations, iterationsPerSecond > 0 {
            return Double(targetIterations - iteration) / iterationsPerSecond
        }
        return budgetSeconds.map { max(0, $0 - seconds) }
    }
}

/// The one training loop, for every GAN: runs iterations until the iteration or time
/// budget is reached or a stop is requested; evaluates and checkpoints on their intervals
/// (and at the end); keeps the newest checkpoints; resumes bit for bit.
///
/// Model selection: each evaluation's monitored score (`TrainableGAN.selectionScore`) is
/// logged with the best so far; at each new best the checkpoint of that iteration is written
/// as `checkpoints/best.safetensors` — the bytes of the periodic checkpoint when one is
/// written at the same iteration, else the same `GANCheckpoint.save` — which pruning never
/// touches and resume keeps.
///
/// Over several ranks (`Collectives`) every rank runs this loop on its share of each batch;
/// the ranks agree each iteration on whether to stop (a signal or the budget, by the slowest
/// rank's clock), and rank 0 alone evaluates and writes the configuration, the log, samples
/// and checkpoints — which are the same whatever the number of ranks.
public final class Trainer<GAN: TrainableGAN> {
    public typealias Configuration = RunConfiguration<GAN.Settings>
    public let gan: GAN
    public let configuration: Configuration
    public let run: RunDirectory
    public private(set) var progress: RunProgress
    /// Whether this process writes the run's files (rank 0).
    public let isWriter = Collectives.current.rank == 0
    private var lastCheckpointIteration: Int?
    private let log: RunLog
    /// The run directory's lock, held by the writer for the trainer's lifetime.
    private let lock: RunLock?
    /// Checkpoints newer than the one resumed that were passed over as damaged, each with why
    /// (for the console to show); empty for a new run.
    public private(set) var damagedCheckpoints: [LocatedError] = []
    /// The writer's log lines so far (for the GAN's review of each new evaluation).
    private var history: [GAN.Entry] = []
    /// The best evaluation so far, and whether its checkpoint is still to be written.
    public private(set) var best: (iteration: Int, score: Double)?
    private var bestPending = false
    /// The warning of the latest evaluation, until a progress report shows it.
    private var warning: String?

    /// The layout of `url` as a run of this GAN.
    public static func runDirectory(_ url: URL) -> RunDirectory {
        RunDirectory(url, sampleExtension: GAN.sampleExtension)
    }

    /// A new run in `run` (which must not hold one yet).
    /// - throws: `LocatedError` when the run exists or its directory cannot be written.
    public init(configuration: Configuration, run: RunDirectory, context: GAN.Context) throws {
        let lock = try Self.lock(run)
        var begun = false
        defer { if !begun { lock?.removeCreatedDirectory() } }
        self.lock = lock
        guard run.checkpointFiles().isEmpty else {
            throw LocatedError(file: run.url.path, "already holds a run: use --resume to continue it")
        }
        try Self.checkRanks(batch: configuration.run.batch)
        gan = try GAN(configuration: configuration, context: context)
        self.configuration = configuration
        self.run = run
        progress = RunProgress(iteration: 0, elapsedSeconds: 0)
        log = RunLog(run)
        guard isWriter else { return }
        try run.createDirectories()
        try AtomicFile.write(try RunLog.encoder.encode(configuration), to: run.configuration)
        try AtomicFile.write(Data(), to: run.log)
        begun = true
    }

    /// Continues the run in `run` from its newest intact checkpoint, which is read once:
    /// `context` builds what the GAN trains on from the saved configuration (with a new
    /// budget when `iterations` or `minutes` is given; everything else comes from the checkpoint).
    /// Newer checkpoints that are damaged (unreadable, or their data fails its checksum) are
    /// passed over and listed in `damagedCheckpoints`; the writer moves them aside
    /// (`iter-N.safetensors.damaged`) so that pruning and later resumes do not see them.
    /// - throws: `LocatedError` when no checkpoint is intact, or for a foreign one, or one
    ///   that does not fit the context.
    public init(resuming run: RunDirectory, iterations: Int? = nil, minutes: Double? = nil, precision: Precision? = nil,
                context: (Configuration) throws -> GAN.Context) throws {
        guard FileManager.default.fileExists(atPath: run.url.path) else {
            throw LocatedError(file: run.url.path, "no such run directory to resume")
        }
        lock = try Self.lock(run)
        let candidates = run.checkpointFiles()
        guard !candidates.isEmpty else {
            throw LocatedError(file: run.checkpoints.path, "no checkpoint to resume from")
        }
        var damaged: [(url: URL, error: LocatedError)] = []
        var opened: (checkpoint: GANCheckpoint, url: URL)?
        for candidate in candidates.reversed() {
            do {
                opened = (try GANCheckpoint.open(candidate.url), candidate.url)
                break
            } catch let error as LocatedError {
                damaged.append((candidate.url, error.inFile(candidate.url.path)))
            }
        }
        guard let (checkpoint, resumed) = opened else {
            throw LocatedError(file: run.checkpoints.path,
                               "no intact checkpoint to resume from (\(damaged.count) damaged; the newest: \(damaged[0].error))")
        }
        let configuration = try checkpoint.configuration(of: GAN.self).resumed(iterations: iterations, minutes: minutes, precision: precision)
        try Self.checkRanks(batch: configuration.run.batch)
        let gan: GAN
        do { gan = try GAN(configuration: configuration, context: try context(configuration)) } catch let error as LocatedError {
            throw error.inFile(resumed.path)
        }
        progress = try checkpoint.restore(gan)
        self.gan = gan
        self.configuration = configuration
        self.run = run
        log = RunLog(run)
        lastCheckpointIteration = progress.iteration
        damagedCheckpoints = damaged.map(\.error)
        guard isWriter else { return }
        try run.createDirectories()
        for file in damaged { run.setAside(damaged: file.url) }
        try run.removeFiles(after: progress.iteration)
        history = try logEntries()
        try restoreBest()
    }

    /// The best evaluation of the resumed history. A best checkpoint of another iteration
    /// (one past the checkpoint resumed from, after a crash) is dropped: the log lines that
    /// chose it were, and the replay chooses again.
    private func restoreBest() throws {
        let selection = history.last?.selection
        if let iteration = selection?.bestIteration, let score = selection?.bestScore { best = (iteration, score) }
        let file = run.bestCheckpoint
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        let held = (try? GANCheckpoint.open(file))?.file.metadata["iteration"].flatMap(Int.init)
        if held == nil || held != best?.iteration {
            try? FileManager.default.removeItem(at: file)
        }
    }

    /// The run directory's lock for the writer (rank 0 of an MPI job); nil on other ranks.
    /// - throws: `LocatedError` naming the holder's pid when another process writes the run.
    private static func lock(_ run: RunDirectory) throws -> RunLock? {
        Collectives.current.rank == 0 ? try RunLock(run: run.url) : nil
    }

    /// Trains until the budget is reached or a stop is requested.
    /// - throws: `LocatedError` on non-finite losses or weights (the last good checkpoint is
    ///   kept), and I/O errors from logs, samples and checkpoints.
    public func train(report: (TrainingProgress) -> Void = { _ in }) throws -> TrainingOutcome {
        Engine.setThreads(configuration.run.threads)
        let settings = configuration.run
        try Engine.setPrecision(settings.precision)
        if progress.iteration == 0, (try? Data(contentsOf: run.log))?.isEmpty != false {
            try evaluate(losses: nil)
            try saveBest()
        }
        var latest: GAN.Entry?
        var lastLosses: GAN.Losses?
        var rate = IterationRate()

        while true {
            if let signal = agreedStop() {
                try finish(losses: lastLosses)
                return .interrupted(iteration: progress.iteration, signal: signal)
            }
            if let limit = settings.iterations, progress.iteration >= limit { break }
            if let budget = settings.budgetSeconds, progress.elapsedSeconds >= budget { break }

            let start = DispatchTime.now().uptimeNanoseconds
            let losses = gan.iterate(iteration: progress.iteration)
            progress.elapsedSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            progress.iteration += 1
            if let reason = gan.nonFiniteReason(losses) {
                throw LocatedError("non-finite loss at iteration \(progress.iteration) (\(reason)); the last good checkpoint is kept in \(run.checkpoints.path)")
            }
            lastLosses = losses
            if progress.iteration % settings.evalEvery == 0 { latest = try evaluate(losses: losses) }
            if progress.iteration % settings.checkpointEvery == 0 { try saveCheckpoint() }
            try saveBest()

            report(TrainingProgress(iteration: progress.iteration, targetIterations: settings.iterations,
                                    seconds: progress.elapsedSeconds, budgetSeconds: settings.budgetSeconds,
                                    iterationsPerSecond: rate.tick(), summary: gan.summary(losses, latest: latest),
                                    warning: warning))
            warning = nil
        }
        try finish(losses: lastLosses)
        return .finished(iteration: progress.iteration)
    }

    /// Each rank computes an equal share of the global batch.
    private static func checkRanks(batch: Int) throws {
        let ranks = Collectives.current.size
        guard batch % ranks == 0 else {
            throw LocatedError("the batch of \(batch) does not divide into \(ranks) ranks: give --batch a multiple of \(ranks)")
        }
    }

    /// The signal that stops the run on every rank, or nil; over several ranks also makes
    /// every rank's elapsed time the slowest one's, so they reach the time budget together.
    private func agreedStop() -> Int32? {
        guard Collectives.isDistributed else { return StopRequest.signal }
        var shared = [Double(StopRequest.signal ?? 0), progress.elapsedSeconds]
        shared.withUnsafeMutableBufferPointer { Collectives.current.allReduceMax($0) }
        progress.elapsedSeconds = shared[1]
        return shared[0] > 0 ? Int32(shared[0]) : nil
    }

    /// The log lines of the run so far, oldest first.
    public func logEntries() throws -> [GAN.Entry] {
        try String(contentsOf: run.log, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONDecoder().decode(GAN.Entry.self, from: Data($0.utf8)) }
    }

    /// The final evaluation (unless the last iteration had one) and checkpoint.
    private func finish(losses: GAN.Losses?) throws {
        if progress.iteration % configuration.run.evalEvery != 0, losses != nil { try evaluate(losses: losses) }
        if lastCheckpointIteration != progress.iteration { try saveCheckpoint() }
        try saveBest()
    }

    /// Evaluates from a random source derived from the seed and the iteration, never the
    /// training stream, so evaluating does not change what training draws; logs the line.
    /// Every rank takes part (the samples are generated in shares); rank 0 scores and logs.
    @discardableResult
    private func evaluate(losses: GAN.Losses?) throws -> GAN.Entry {
        let iteration = progress.iteration
        var random = RandomSource(seed: configuration.run.seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(iteration + 1)))
        var entry = try gan.evaluate(iteration: iteration, seconds: progress.elapsedSeconds, losses: losses,
                                     random: &random, samples: run.samples(iteration: iteration))
        guard isWriter else { return entry }
        gan.review(&entry, earlier: history)
        let score = gan.selectionScore(entry)
        if let score, score < best?.score ?? .infinity {
            best = (iteration, score)
            bestPending = true
        }
        entry.selection = Selection(metric: gan.selectionMetric, score: score, bestIteration: best?.iteration,
                                    bestScore: best?.score)
        try log.append(entry)
        history.append(entry)
        if let warning = entry.warning { self.warning = warning }
        return entry
    }

    /// After a new best evaluation: its checkpoint as `best.safetensors` — a copy of the
    /// periodic checkpoint written at this iteration, else written the same way.
    private func saveBest() throws {
        guard bestPending, isWriter else { return }
        bestPending = false
        guard GANCheckpoint.allFinite(gan.networks.map(\.network)) else { return }
        let periodic = run.checkpoint(iteration: progress.iteration)
        if lastCheckpointIteration == progress.iteration, let bytes = try? Data(contentsOf: periodic) {
            try AtomicFile.write(bytes, to: run.bestCheckpoint)
        } else {
            try GANCheckpoint.save(gan, configuration: configuration, progress: progress, to: run.bestCheckpoint)
        }
    }

    private func saveCheckpoint() throws {
        // A finite loss can still be followed by an update that overflows the weights:
        // never let such weights replace a good checkpoint.
        guard GANCheckpoint.allFinite(gan.networks.map(\.network)) else {
            throw LocatedError("non-finite parameters at iteration \(progress.iteration); the last good checkpoint is kept in \(run.checkpoints.path)")
        }
        lastCheckpointIteration = progress.iteration
        guard isWriter else { return }
        try GANCheckpoint.save(gan, configuration: configuration, progress: progress,
                               to: run.checkpoint(iteration: progress.iteration))
        lastCheckpointIteration = progress.iteration
        run.pruneCheckpoints(keeping: configuration.run.keepCheckpoints)
    }
}
