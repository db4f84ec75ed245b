import Foundation
import ImageData
import Layers
import Tensors
import TrainingRuns

/// One line of an image run's `log.jsonl`.
public struct ImageLogEntry: Codable, Equatable, Sendable {
    public var iteration: Int
    /// Training wall-clock seconds since the run started, evaluation excluded.
    public var seconds: Double
    public var discriminatorLoss: Double?
    public var generatorLoss: Double?
    /// Mean sigmoid(D) on real and generated images of the last step.
    public var realScore: Double?
    public var fakeScore: Double?
    /// FID keyed by feature network ("classifier" or "inception"); never mixed.
    public var fid: [String: Double]

    enum CodingKeys: String, CodingKey {
        case iteration, seconds, fid
        case discriminatorLoss = "d_loss", generatorLoss = "g_loss", realScore = "d_real", fakeScore = "d_fake"
    }
}

/// What the trainer reports after each iteration, for a progress line.
public struct ImageTrainingProgress: Sendable {
    public var iteration: Int
    public var targetIterations: Int?
    public var seconds: Double
    public var budgetSeconds: Double?
    public var iterationsPerSecond: Double
    public var discriminatorLoss: Double
    public var generatorLoss: Double
    public var latestFID: Double?
}

/// The DCGAN training loop of the paper's image experiments: per iteration one
/// discriminator step on a real batch and a generated one, then one generator step; FID,
/// an image grid, the log and checkpoints on their intervals.
public final class ImageGANTrainer {
    public let configuration: ImageTrainingConfiguration
    public let run: RunDirectory
    public let data: TrainingImages
    public let fid: FIDMonitor?
    public let state: DCGANState
    public private(set) var progress: ImageCheckpoint.Progress
    private var lastCheckpointIteration: Int?
    private let log: RunLog

    /// The run directory layout of image runs (grids as PNG).
    public static func runDirectory(_ url: URL) -> RunDirectory { RunDirectory(url, sampleExtension: "png") }

    /// A new run in `run` (which must not hold one yet).
    public init(configuration: ImageTrainingConfiguration, run: RunDirectory, data: TrainingImages,
                fid: FIDMonitor?) throws {
        guard run.checkpointFiles().isEmpty else {
            throw LocatedError("\(run.url.path) already holds a run: use --resume to continue it")
        }
        try Self.check(configuration, data: data, at: run.url.path)
        self.configuration = configuration
        self.run = run
        self.data = data
        self.fid = fid
        state = DCGANState(configuration: configuration)
        progress = .init(iteration: 0, elapsedSeconds: 0)
        log = RunLog(run)
        try run.createDirectories()
        try AtomicFile.write(try RunLog.encoder.encode(configuration), to: run.configuration)
        try AtomicFile.write(Data(), to: run.log)
    }

    /// Continues the run in `run` from its newest complete checkpoint, optionally with a new
    /// budget (everything else comes from the checkpoint).
    public init(resuming run: RunDirectory, data: TrainingImages, fid: FIDMonitor?,
                iterations: Int? = nil, minutes: Double? = nil) throws {
        guard let latest = run.checkpointFiles().last else {
            throw LocatedError("\(run.checkpoints.path): no checkpoint to resume from")
        }
        var (state, configuration, progress) = try ImageCheckpoint.load(latest.url)
        if iterations != nil || minutes != nil {
            configuration.iterations = iterations
            configuration.minutes = minutes
        }
        try Self.check(configuration, data: data, at: latest.url.path)
        self.configuration = configuration
        self.run = run
        self.data = data
        self.fid = fid
        self.state = state
        self.progress = progress
        log = RunLog(run)
        lastCheckpointIteration = progress.iteration
        try run.removeFiles(after: progress.iteration)
    }

    private static func check(_ c: ImageTrainingConfiguration, data: TrainingImages, at path: String) throws {
        guard c.model.channels == data.channels else {
            throw LocatedError("\(path): the model has \(c.model.channels) channel(s), \(data.name) has \(data.channels)")
        }
        guard data.count >= 1 else { throw LocatedError("\(data.name): no images") }
    }

    /// Trains until the iteration or time budget is reached or a stop is requested.
    /// - throws: `LocatedError` on non-finite losses (the last good checkpoint is kept),
    ///   and I/O errors from logs, grids and checkpoints.
    public func train(report: (ImageTrainingProgress) -> Void = { _ in }) throws -> TrainingOutcome {
        Engine.setThreads(configuration.threads)
        if progress.iteration == 0 && (try? Data(contentsOf: run.log))?.isEmpty != false {
            try evaluate(losses: nil)
        }
        var latestFID: Double?
        var lastLosses: (DCGANState.DiscriminatorStep, Double)?
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
            let real = realBatch()
            let discriminatorStep = state.discriminatorUpdate(real: real)
            let generatorLoss = state.generatorUpdate(batch: configuration.batch)
            progress.elapsedSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            progress.iteration += 1

            guard discriminatorStep.loss.isFinite, generatorLoss.isFinite else {
                throw LocatedError("non-finite loss at iteration \(progress.iteration) (discriminator \(discriminatorStep.loss), generator \(generatorLoss)); the last good checkpoint is kept in \(run.checkpoints.path)")
            }
            lastLosses = (discriminatorStep, generatorLoss)
            if progress.iteration % configuration.fidEvery == 0 { latestFID = try evaluate(losses: lastLosses) }
            if progress.iteration % configuration.checkpointEvery == 0 { try saveCheckpoint() }

            report(ImageTrainingProgress(iteration: progress.iteration, targetIterations: configuration.iterations,
                                         seconds: progress.elapsedSeconds, budgetSeconds: budget,
                                         iterationsPerSecond: rate.tick(), discriminatorLoss: discriminatorStep.loss,
                                         generatorLoss: generatorLoss, latestFID: latestFID))
        }
        try finish(losses: lastLosses)
        return .finished(iteration: progress.iteration)
    }

    private func finish(losses: (DCGANState.DiscriminatorStep, Double)?) throws {
        if progress.iteration % configuration.fidEvery != 0, losses != nil { try evaluate(losses: losses) }
        if lastCheckpointIteration != progress.iteration { try saveCheckpoint() }
    }

    /// Real images drawn uniformly (with replacement) with the run's random source.
    private func realBatch() -> Tensor {
        let size = configuration.model.imageSize
        let indices = (0..<configuration.batch).map { _ in state.random.nextInt(below: data.count) }
        return Tensor(data.batch(indices: indices, size: size),
                      shape: [configuration.batch, size, size, configuration.model.channels])
    }

    /// FID (when a feature network is set) and an image grid, then a log line. The noise
    /// comes from a source derived from the seed and iteration, never the training source,
    /// so evaluating does not change what training draws.
    @discardableResult
    private func evaluate(losses: (DCGANState.DiscriminatorStep, Double)?) throws -> Double? {
        let iteration = progress.iteration
        var random = RandomSource(seed: configuration.seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(iteration + 1)))
        let model = configuration.model
        let count = max(configuration.gridImages, fid == nil ? 0 : configuration.fidSamples)
        let images = state.generate(count: count, batch: configuration.batch, using: &random)
        let per = model.imageSize * model.imageSize * model.channels
        try ImageGrid(images: Array(images[0..<(configuration.gridImages * per)]), count: configuration.gridImages,
                      height: model.imageSize, width: model.imageSize, channels: model.channels)
            .write(to: run.samples(iteration: iteration))
        var scores: [String: Double] = [:]
        if let fid {
            let n = configuration.fidSamples
            scores[fid.network.kind.rawValue] = try fid.score(Array(images[0..<(n * per)]), count: n,
                                                              size: model.imageSize, channels: model.channels)
        }
        try log.append(ImageLogEntry(iteration: iteration, seconds: progress.elapsedSeconds,
                                     discriminatorLoss: losses?.0.loss, generatorLoss: losses?.1,
                                     realScore: losses?.0.realScore, fakeScore: losses?.0.fakeScore, fid: scores))
        return scores.values.first
    }

    private func saveCheckpoint() throws {
        guard ModelCheckpoint.allFinite([state.generator, state.discriminator]) else {
            throw LocatedError("non-finite parameters at iteration \(progress.iteration); the last good checkpoint is kept in \(run.checkpoints.path)")
        }
        try ImageCheckpoint.save(state, configuration: configuration, progress: progress,
                                 to: run.checkpoint(iteration: progress.iteration))
        lastCheckpointIteration = progress.iteration
        run.pruneCheckpoints(keeping: configuration.keepCheckpoints)
    }
}
