import Basics
import Foundation
import TrainingRuns

/// Which training command an experiment's runs are.
public enum ExperimentMode: String, Codable, CaseIterable, Sendable {
    /// Runs of `ttur-text train`.
    case language
    /// Runs of `ttur-text image train`.
    case image

    /// The training command's words before its options.
    public var command: [String] { self == .language ? ["train"] : ["image", "train"] }
}

/// What defines an experiment: the mode, the schedules, the seeds, the budget of each run,
/// the threads and the options passed through to every run's training command. Stored as
/// `DIR/experiment.json`; `--jobs` is not part of it (how many runs train at once changes
/// nothing a run computes).
public struct ExperimentConfiguration: Codable, Equatable, Sendable {
    public var mode: ExperimentMode
    public var schedules: [Schedule]
    /// Seeds 0..<seeds.
    public var seeds: Int
    /// Each run's budget: iterations or training minutes.
    public var iterations: Int?
    public var minutes: Double?
    /// Threads of the whole experiment, split between the runs that train at once.
    public var threads: Int
    /// The training command's options, in the order given (`--dim 8 --data d`).
    public var options: [String]

    public init(mode: ExperimentMode, schedules: [Schedule], seeds: Int, iterations: Int?, minutes: Double?, threads: Int,
                options: [String]) {
        (self.mode, self.schedules, self.seeds) = (mode, schedules, seeds)
        (self.iterations, self.minutes, self.threads, self.options) = (iterations, minutes, threads, options)
    }

    /// The options the runner sets itself, per run; not allowed among the passed-through ones.
    public static let runnerOptions: Set<String> = ["--run", "--seed", "--schedule", "--resume", "--threads",
                                                    "--iterations", "--minutes"]

    /// The passed-through options as (name, value) pairs in order: a token starting with "-"
    /// names an option, the tokens after it up to the next are its value ("" for a flag).
    public var optionValues: [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for token in options {
            if token.hasPrefix("-"), Double(token) == nil {
                if let equals = token.firstIndex(of: "="), token.hasPrefix("--") {
                    pairs.append((String(token[..<equals]), String(token[token.index(after: equals)...])))
                } else {
                    pairs.append((token, ""))
                }
            } else if !pairs.isEmpty {
                pairs[pairs.count - 1].value += (pairs[pairs.count - 1].value.isEmpty ? "" : " ") + token
            } else {
                pairs.append(("", token))
            }
        }
        return pairs
    }

    /// The first setting in which `self` differs from `stored`, as "--dim 16 here, 8 in FILE", or nil.
    public func difference(from stored: ExperimentConfiguration) -> (option: String, here: String, there: String)? {
        let fixed: [(String, String, String)] = [
            ("mode", mode.rawValue, stored.mode.rawValue),
            ("--schedules", schedules.map(\.rawValue).joined(separator: ","), stored.schedules.map(\.rawValue).joined(separator: ",")),
            ("--seeds", String(seeds), String(stored.seeds)),
            ("--iterations", iterations.map(String.init) ?? "not given", stored.iterations.map(String.init) ?? "not given"),
            ("--minutes", minutesArgument ?? "not given", stored.minutesArgument ?? "not given"),
            ("--threads", String(threads), String(stored.threads)),
        ]
        if let different = fixed.first(where: { $0.1 != $0.2 }) { return different }
        let mine = Dictionary(optionValues.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        let theirs = Dictionary(stored.optionValues.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        let names = optionValues.map(\.name) + stored.optionValues.map(\.name)
        for name in names where mine[name] != theirs[name] {
            func shown(_ value: String?) -> String { value.map { $0.isEmpty ? "given" : $0 } ?? "not given" }
            return (name.isEmpty ? "argument" : name, shown(mine[name]), shown(theirs[name]))
        }
        return nil
    }
}

extension ExperimentConfiguration {
    /// The minutes as the command line writes them: 20 for 20.0, 0.2 for 0.2.
    var minutesArgument: String? { minutes.map(RunArguments.text) }
}

/// What the runner sets for one run of an experiment, typed; `arguments` writes it in the
/// training commands' spelling (`train` and `image train` share these options), and those
/// commands' parsers read it back unchanged (`RunArgumentsRoundTripTests`).
public struct RunArguments: Equatable, Sendable {
    /// The run directory.
    public var run: String
    /// Continue the run from its newest checkpoint (its schedule and seed come from there).
    public var resume: Bool
    /// A new run's schedule and seed (nil when resuming).
    public var schedule: Schedule?
    public var seed: UInt64?
    public var threads: Int
    /// The budget: iterations and/or training minutes.
    public var iterations: Int?
    public var minutes: Double?

    public init(run: String, resume: Bool, schedule: Schedule?, seed: UInt64?, threads: Int, iterations: Int?,
                minutes: Double?) {
        (self.run, self.resume, self.schedule, self.seed) = (run, resume, schedule, seed)
        (self.threads, self.iterations, self.minutes) = (threads, iterations, minutes)
    }

    /// The options, as the training command takes them.
    public var arguments: [String] {
        var arguments = resume ? ["--resume", "--run", run] : ["--run", run]
        if let seed { arguments += ["--seed", String(seed)] }
        if let schedule { arguments += ["--schedule", schedule.rawValue] }
        arguments += ["--threads", String(threads)]
        if let iterations { arguments += ["--iterations", String(iterations)] }
        if let minutes { arguments += ["--minutes", Self.text(minutes)] }
        return arguments
    }

    /// Minutes as the command line writes them: 20 for 20.0, 0.2 for 0.2 (each reads back
    /// as the same Double).
    static func text(_ minutes: Double) -> String {
        minutes == minutes.rounded() && abs(minutes) < 1e15 ? String(Int(minutes)) : String(minutes)
    }
}
