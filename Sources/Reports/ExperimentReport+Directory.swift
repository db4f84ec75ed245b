import Experiments
import Foundation

extension ExperimentReport.Experiment {
    /// An experiment directory's runs, by schedule, read as run records (those without a log
    /// yet are named apart, as not started).
    /// - throws: `LocatedError` when the directory's `experiment.json` is missing or malformed.
    public init(reading directory: ExperimentDirectory) throws {
        let configuration = try directory.configuration()
        let runs = directory.runs(of: configuration)
        var notStarted: [String] = []
        let schedules = configuration.schedules.map { schedule in
            ExperimentReport.Schedule(name: schedule.rawValue, runs: runs.filter { $0.schedule == schedule }.compactMap { run in
                guard FileManager.default.fileExists(atPath: run.url.appendingPathComponent("log.jsonl").path),
                      let record = try? RunRecord(directory: run.url) else {
                    notStarted.append(run.name)
                    return nil
                }
                return ExperimentReport.SeedRun(seed: run.seed, record: record)
            })
        }
        self.init(title: directory.url.path, mode: configuration.mode.rawValue, schedules: schedules, notStarted: notStarted)
    }
}
