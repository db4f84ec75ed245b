/// Where a run stands: what checkpoints restore besides the networks.
public struct RunProgress: Equatable, Sendable {
    public var iteration: Int
    /// Training wall-clock seconds so far, evaluation excluded.
    public var elapsedSeconds: Double
    public init(iteration: Int, elapsedSeconds: Double) {
        self.iteration = iteration
        self.elapsedSeconds = elapsedSeconds
    }
}

/// Why training stopped.
public enum TrainingOutcome: Equatable, Sendable {
    case finished(iteration: Int)
    case interrupted(iteration: Int, signal: Int32)
}
