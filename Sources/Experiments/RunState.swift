import Basics
import Foundation
import TrainingRuns

/// Where a run of an experiment stands, from its newest checkpoint: nothing yet, or the
/// iteration and training seconds it reached.
public struct RunState: Sendable, Equatable {
    public var iteration: Int
    public var seconds: Double

    /// The state of the run in `url`, or nil when it has no complete checkpoint.
    /// - throws: `LocatedError` for a checkpoint that cannot be read.
    public static func read(_ url: URL) throws -> RunState? {
        guard let newest = RunDirectory(url).checkpointFiles().last else { return nil }
        let metadata = try GANCheckpoint.open(newest.url).file.metadata
        guard let iteration = metadata["iteration"].flatMap(Int.init),
              let seconds = metadata["elapsed_seconds"].flatMap(Double.init) else {
            throw LocatedError(file: newest.url.path, "no iteration or elapsed time in the checkpoint")
        }
        return RunState(iteration: iteration, seconds: seconds)
    }

    /// Whether the run reached the experiment's budget (it stops at the first limit it reaches).
    public func reached(_ configuration: ExperimentConfiguration) -> Bool {
        if let limit = configuration.iterations, iteration >= limit { return true }
        if let minutes = configuration.minutes, seconds >= minutes * 60 { return true }
        return false
    }
}
