/// The update schedules the paper compares. What each sets (learning rates, critic steps)
/// depends on the experiment: every GAN gives its table (`ScheduleTable`).
public enum Schedule: String, Codable, CaseIterable, Sendable {
    /// The two time-scale update rule: the critic (discriminator) and generator at their own
    /// learning rates.
    case ttur
    /// The original schedule: one learning rate for both.
    case orig
}

/// What a schedule sets for one experiment: both learning rates and the critic
/// (discriminator) steps per iteration.
public struct ScheduleRates: Equatable, Sendable {
    public let criticLearningRate: Float
    public let generatorLearningRate: Float
    public let criticSteps: Int

    public init(critic: Float, generator: Float, criticSteps: Int = 1) {
        criticLearningRate = critic
        generatorLearningRate = generator
        self.criticSteps = criticSteps
    }
}

/// An experiment's rates under each schedule (the paper's tables).
public struct ScheduleTable: Sendable {
    public let ttur: ScheduleRates
    public let orig: ScheduleRates

    public init(ttur: ScheduleRates, orig: ScheduleRates) {
        self.ttur = ttur
        self.orig = orig
    }

    public subscript(schedule: Schedule) -> ScheduleRates {
        switch schedule {
        case .ttur: ttur
        case .orig: orig
        }
    }
}
