import Basics
import Distributed
import Foundation
import TrainingRuns

/// One run of an experiment: a schedule and a seed, trained in `DIR/<schedule>-seed<k>/`
/// as an ordinary run directory.
public struct ExperimentRun: Sendable, Equatable {
    public let schedule: Schedule
    public let seed: Int
    public let url: URL
    public var name: String { url.lastPathComponent }
}

/// An experiment's directory:
///
///     DIR/experiment.json           the configuration (ExperimentConfiguration)
///     DIR/<schedule>-seed<k>/       one ordinary run per schedule and seed (config.json, log.jsonl, …)
///     DIR/<schedule>-seed<k>/.lock  held while a process trains the run
///     DIR/<schedule>-seed<k>/train.log   the training command's output
public struct ExperimentDirectory: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url }

    public var configurationFile: URL { url.appendingPathComponent("experiment.json") }

    public static func runName(schedule: Schedule, seed: Int) -> String { "\(schedule.rawValue)-seed\(seed)" }

    /// Whether `url` holds an experiment (its `experiment.json`).
    public static func isExperiment(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("experiment.json").path)
    }

    /// The runs in the order they are started: seed by seed, every schedule of a seed
    /// together (so the schedules of one seed train under the same load).
    public func runs(of configuration: ExperimentConfiguration) -> [ExperimentRun] {
        (0..<configuration.seeds).flatMap { seed in
            configuration.schedules.map { schedule in
                ExperimentRun(schedule: schedule, seed: seed,
                              url: url.appendingPathComponent(Self.runName(schedule: schedule, seed: seed)))
            }
        }
    }

    /// The stored configuration.
    /// - throws: `LocatedError` when `experiment.json` is missing or malformed.
    public func configuration() throws -> ExperimentConfiguration {
        guard let data = try? Data(contentsOf: configurationFile) else {
            throw LocatedError(file: configurationFile.path, "missing or unreadable (is \(url.path) an experiment?)")
        }
        do { return try JSONDecoder().decode(ExperimentConfiguration.self, from: data) } catch {
            throw LocatedError(file: configurationFile.path, "not an experiment configuration")
        }
    }

    /// Stores `configuration` in a new directory, or checks it against the stored one.
    /// - throws: `LocatedError` naming the first differing option, or an I/O failure.
    public func adopt(_ configuration: ExperimentConfiguration) throws {
        if FileManager.default.fileExists(atPath: configurationFile.path) {
            let stored = try self.configuration()
            if let (option, here, there) = configuration.difference(from: stored) {
                throw LocatedError(file: configurationFile.path, "holds a different experiment: \(option) is \(here) here but \(there) there (use another --out, or the same options)")
            }
            return
        }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw LocatedError(file: url.path, "cannot create the experiment directory: \(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(configuration), to: configurationFile)
    }
}

/// This process's share of the runs when it is one of several ranks (mpirun, srun, a Slurm
/// job array): rank r of K takes runs r, r + K, …. Read from the environment, no MPI library.
public struct ProcessRank: Sendable, Equatable {
    public let rank: Int
    public let size: Int

    public init(rank: Int, size: Int) {
        (self.rank, self.size) = (rank, size)
    }

    /// Open MPI's, MPICH/Hydra's, then Slurm's variables; a Slurm job array's task id over
    /// its count; else rank 0 of 1.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ProcessRank {
        if let launched = Distributed.launcher(environment), launched.size > 1 {
            return ProcessRank(rank: launched.rank, size: launched.size)
        }
        if let task = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init),
           let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init), count > 0 {
            let first = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            if (0..<count).contains(task - first) { return ProcessRank(rank: task - first, size: count) }
        }
        return ProcessRank(rank: 0, size: 1)
    }

    /// This rank's share of `runs`.
    public func share<T>(of runs: [T]) -> [T] {
        runs.enumerated().filter { $0.offset % size == rank }.map(\.element)
    }
}
