import Corpus
import Foundation
import Layers
import NGrams
import Reports
import Tensors
import TrainingRuns

/// One line of `log.jsonl`.
public struct LogEntry: Codable, Equatable, Sendable {
    public var iteration: Int
    /// Training wall-clock seconds since the run started, evaluation excluded.
    public var seconds: Double
    public var criticLoss: Double?
    public var genLoss: Double?
    public var wasserstein: Double?
    public var gradientPenalty: Double?
    /// n-gram JSD keyed "1"…"N".
    public var jsd: [String: Double]

    enum CodingKeys: String, CodingKey {
        case iteration, seconds, jsd, wasserstein
        case criticLoss = "critic_loss", genLoss = "gen_loss", gradientPenalty = "gradient_penalty"
    }
}

/// What the trainer reports after each iteration, for a progress line.
public struct TrainingProgress: Sendable {
    public var iteration: Int
    public var targetIterations: Int?
    public var seconds: Double
    public var iterationsPerSecond: Double
    public var criticLoss: Double
    public var genLoss: Double?
    public var latestJSD: [String: Double]
    public var budgetSeconds: Double?
}

/// The training loop of the paper's language experiment: a generator step (from the second
/// iteration on), then the critic steps, each on a fresh batch of real sentences and fresh
/// noise; evaluation, logging and checkpoints on their intervals.
public final class LanguageGANTrainer {
    public let configuration: TrainingConfiguration
    public let run: RunDirectory
    public let dataset: PreparedDataset
    public let store: NGramStore
    public let state: LanguageGANState
    public private(set) var progress: Checkpoint.Progress
    private var lastCheckpointIteration: Int?
    private let log: RunLog

    /// A new run in `run` (which must not hold one yet).
    public init(configuration: TrainingConfiguration, run: RunDirectory, dataset: PreparedDataset,
                store: NGramStore) throws {
        guard run.checkpointFiles().isEmpty else {
            throw LocatedError("\(run.url.path) already holds a run: use --resume to continue it")
        }
        self.configuration = configuration
        self.run = run
        self.dataset = dataset
        self.store = store
        state = LanguageGANState(configuration: configuration)
        progress = .init(iteration: 0, elapsedSeconds: 0)
        log = RunLog(run)
        try run.createDirectories()
        try AtomicFile.write(try RunLog.encoder.encode(configuration), to: run.configuration)
        try AtomicFile.write(Data(), to: run.log)
    }

    /// Continues the run in `run` from its newest complete checkpoint, optionally with a new
    /// budget (everything else comes from the checkpoint).
    public init(resuming run: RunDirectory, dataset: PreparedDataset, store: NGramStore,
                iterations: Int? = nil, minutes: Double? = nil) throws {
        guard let latest = run.checkpointFiles().last else {
            throw LocatedError("\(run.checkpoints.path): no checkpoint to resume from")
        }
        var (state, configuration, progress) = try Checkpoint.load(latest.url)
        if iterations != nil || minutes != nil {
            configuration.iterations = iterations
            configuration.minutes = minutes
        }
        guard configuration.vocabularySize == dataset.vocabulary.count,
              configuration.sequenceLength == dataset.sequenceLength else {
            throw LocatedError("\(latest.url.path) was trained on a dataset with vocabulary \(configuration.vocabularySize) and length \(configuration.sequenceLength), \(dataset.directory.path) has \(dataset.vocabulary.count) and \(dataset.sequenceLength)")
        }
        self.configuration = configuration
        self.run = run
        self.dataset = dataset
        self.store = store
        self.state = state
        self.progress = progress
        log = RunLog(run)
        lastCheckpointIteration = progress.iteration
        try run.removeFiles(after: progress.iteration)
    }

    /// Trains until the iteration or time budget is reached or a stop is requested.
    /// - throws: `LocatedError` on non-finite losses (the last good checkpoint is kept),
    ///   and I/O errors from logs and checkpoints.
    public func train(report: (TrainingProgress) -> Void = { _ in }) throws -> TrainingOutcome {
        Engine.setThreads(configuration.threads)
        let batch = configuration.batch
        if progress.iteration == 0 && (try? Data(contentsOf: run.log))?.isEmpty != false {
            try evaluate(iteration: 0, losses: nil)
        }
        var latestJSD: [String: Double] = [:]
        var lastLosses: (critic: WGANGP.CriticStep, gen: Double?)?
        var rate = IterationRate()
        let budget = configuration.minutes.map { $0 * 60 }

        while true {
            if let signal = StopRequest.signal {
                try finish(losses: lastLosses)
                return .interrupted(iteration: progress.iteration, signal: signal)
            }
            if let limit = configuration.iterations, progress.iteration >= limit { break }
            if let budget, progress.elapsedSeconds >= budget { break }

            let start = DispatchTime.now().uptimeNanoseconds
            var genLoss: Double?
            if progress.iteration > 0 { genLoss = state.generatorUpdate(batch: batch) }
            var criticStep: WGANGP.CriticStep!
            for _ in 0..<configuration.criticIterations { criticStep = state.criticUpdate(real: realBatch(batch)) }
            progress.elapsedSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            progress.iteration += 1

            guard criticStep.loss.isFinite, genLoss?.isFinite ?? true else {
                throw LocatedError("non-finite loss at iteration \(progress.iteration) (critic \(criticStep.loss), generator \(genLoss.map { String($0) } ?? "-")); the last good checkpoint is kept in \(run.checkpoints.path)")
            }
            lastLosses = (criticStep, genLoss)
            if progress.iteration % configuration.evalEvery == 0 {
                latestJSD = try evaluate(iteration: progress.iteration, losses: lastLosses)
            }
            if progress.iteration % configuration.checkpointEvery == 0 { try saveCheckpoint() }

            report(TrainingProgress(iteration: progress.iteration, targetIterations: configuration.iterations,
                                    seconds: progress.elapsedSeconds, iterationsPerSecond: rate.tick(),
                                    criticLoss: criticStep.loss, genLoss: genLoss, latestJSD: latestJSD,
                                    budgetSeconds: budget))
        }
        try finish(losses: lastLosses)
        return .finished(iteration: progress.iteration)
    }

    /// The final evaluation (unless the last iteration had one) and checkpoint.
    private func finish(losses: (critic: WGANGP.CriticStep, gen: Double?)?) throws {
        if progress.iteration % configuration.evalEvery != 0, losses != nil {
            try evaluate(iteration: progress.iteration, losses: losses)
        }
        if lastCheckpointIteration != progress.iteration { try saveCheckpoint() }
    }

    /// One-hot real sentences drawn uniformly (with replacement) with the run's random source.
    private func realBatch(_ size: Int) -> Tensor {
        var ids: [Int] = []
        ids.reserveCapacity(size * dataset.sequenceLength)
        for _ in 0..<size {
            for token in dataset.sentence(state.random.nextInt(below: dataset.sentenceCount)) { ids.append(Int(token)) }
        }
        return Tensor.oneHot(ids, shape: [size, dataset.sequenceLength], depth: dataset.vocabulary.count)
    }

    /// Generates the evaluation samples, scores them and appends a log line. Its noise comes
    /// from a source derived from the seed and iteration, never from the training source,
    /// so evaluating does not change what training draws.
    @discardableResult
    private func evaluate(iteration: Int, losses: (critic: WGANGP.CriticStep, gen: Double?)?) throws -> [String: Double] {
        var random = RandomSource(seed: configuration.seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(iteration + 1)))
        let samples = state.generator.sampleTokenIDs(count: configuration.evalSamples, batch: configuration.batch,
                                                     using: &random)
        let tokenSamples = samples.map { $0.map { TokenID($0) } }
        let scores = try store.jsd(samples: tokenSamples, maxN: configuration.maxNGram)
        let jsd = Dictionary(uniqueKeysWithValues: scores.map { (String($0.key), $0.value) })
        let text = tokenSamples.map { dataset.vocabulary.decode(ids: $0) }.joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(text.utf8), to: run.samples(iteration: iteration))
        let entry = LogEntry(iteration: iteration, seconds: progress.elapsedSeconds, criticLoss: losses?.critic.loss,
                             genLoss: losses?.gen, wasserstein: losses?.critic.wasserstein,
                             gradientPenalty: losses?.critic.gradientPenalty, jsd: jsd)
        try log.append(entry)
        return jsd
    }

    private func saveCheckpoint() throws {
        // A finite loss can still be followed by an update that overflows the weights:
        // never let such weights replace a good checkpoint.
        guard ModelCheckpoint.allFinite([state.generator, state.critic]) else {
            throw LocatedError("non-finite parameters at iteration \(progress.iteration); the last good checkpoint is kept in \(run.checkpoints.path)")
        }
        try Checkpoint.save(state, configuration: configuration, progress: progress,
                            to: run.checkpoint(iteration: progress.iteration))
        lastCheckpointIteration = progress.iteration
        run.pruneCheckpoints(keeping: configuration.keepCheckpoints)
    }
}
