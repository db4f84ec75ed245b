import ArgumentParser
import Experiments
import Foundation
import TrainingRuns

extension ExperimentMode: ExpressibleByArgument {}

struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train every schedule × seed as ordinary runs in DIR/<schedule>-seed<k>/, J at a time.",
        discussion: """
            Each run is a child process of this executable (`ttur-text train` or `ttur-text image \
            train`) with --threads split between the --jobs that train at once; any other option is \
            passed to every run. Running the same command again continues unfinished runs and skips \
            finished ones; DIR/experiment.json keeps the configuration, and a different one in the \
            same DIR is an error. Children die with the runner (even under kill -9); a run trained by \
            another process is an error naming its pid. SIGINT/SIGTERM are forwarded to the runs, \
            which write their checkpoints (exit 130/143). Under mpirun (or srun, or a Slurm job \
            array) rank r of K takes runs r, r + K, …. `ttur-text report DIR` draws the result.
            """
    )

    @Argument(help: "language (runs of `ttur-text train`) or image (`ttur-text image train`).") var mode: ExperimentMode
    @Option(help: "Schedules, comma-separated.") var schedules = "ttur,orig"
    @Option(help: "Seeds per schedule (0, 1, …).") var seeds = 10
    @Option(help: "Each run's budget in iterations.") var iterations: Int?
    @Option(help: "Each run's budget in training minutes (evaluation excluded).") var minutes: Double?
    @Option(help: "Runs trained at once (by this process; under mpirun, by each rank).") var jobs = 1
    @Option(help: "Threads of the runs together, split between the jobs (at least one each).") var threads = 2
    @Option(help: "Experiment directory.") var out: String
    @Option(help: "Seconds between summary lines.") var summaryEvery: Double = 60
    @Argument(parsing: .allUnrecognized, help: "Options of `ttur-text train` / `image train`, given to every run.")
    var trainOptions: [String] = []

    var scheduleNames: [String] { schedules.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    var scheduleList: [Schedule] { scheduleNames.compactMap(Schedule.init(rawValue:)) }

    func validate() throws {
        if (iterations == nil) == (minutes == nil) { throw ValidationError("give --iterations N or --minutes M (each run's budget)") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let minutes, !(minutes > 0) { throw ValidationError("--minutes must be positive") }
        for (name, value) in [("--seeds", seeds), ("--jobs", jobs), ("--threads", threads)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if !(summaryEvery > 0) { throw ValidationError("--summary-every must be positive") }
        let known = Schedule.allCases.map(\.rawValue)
        if scheduleNames.isEmpty || Set(scheduleNames).count != scheduleNames.count {
            throw ValidationError("--schedules must name distinct schedules (\(known.joined(separator: ", ")))")
        }
        for schedule in scheduleNames where !known.contains(schedule) {
            throw ValidationError("--schedules: unknown schedule '\(schedule)' for \(mode.rawValue) (\(known.joined(separator: ", ")))")
        }
        let configuration = experimentConfiguration
        if let taken = configuration.optionValues.first(where: { ExperimentConfiguration.runnerOptions.contains($0.name) }) {
            throw ValidationError("\(taken.name) is set by the experiment for each run; give --out, --seeds, --schedules, --iterations/--minutes or --threads instead")
        }
        // The passed-through options are checked by the training command's own parser, here,
        // rather than by every child later.
        let probe = configuration.options + ["--run", "probe", "--iterations", "1"]
        do {
            if mode == .language { _ = try Train.parse(probe) } else { _ = try ImageTrain.parse(probe) }
        } catch {
            let message = mode == .language ? Train.message(for: error) : ImageTrain.message(for: error)
            throw ValidationError("\(mode.command.joined(separator: " ")) option: \(message)")
        }
    }

    var experimentConfiguration: ExperimentConfiguration {
        ExperimentConfiguration(mode: mode, schedules: scheduleList, seeds: seeds, iterations: iterations,
                                minutes: minutes, threads: threads, options: trainOptions)
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        var runner = ExperimentRunner(directory: ExperimentDirectory(URL(fileURLWithPath: out)),
                                      configuration: experimentConfiguration, jobs: jobs,
                                      executable: try Self.executable())
        runner.summaryEvery = summaryEvery
        let status = try runner.run()
        if status != 0 { throw ExitCode(status) }
    }

    /// This executable, for the children.
    static func executable() throws -> URL {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL }
        return URL(fileURLWithPath: String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

extension RunOptions {
    /// What an experiment's runner sets, read back from a training command's options: the
    /// inverse of `RunArguments.arguments` (a resumed run's schedule and seed are its
    /// checkpoint's, so they are nil).
    func runArguments(schedule: Schedule) -> RunArguments {
        RunArguments(run: path ?? "", resume: resume, schedule: resume ? nil : schedule, seed: resume ? nil : seed,
                     threads: threads, iterations: iterations, minutes: minutes)
    }
}
