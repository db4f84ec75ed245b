import Basics
import ArgumentParser
import Experiments
import Foundation
import Reports
import Toy

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "HTML report with plots of JSD/FID against wall-clock time for runs.",
        discussion: """
            `ttur-text report RUN…` (the `runs` subcommand, the default) plots the runs' logs; \
            `ttur-text report DIR` on an experiment (`ttur-text experiment`) draws the mean over \
            seeds with a min–max band per schedule and the results table (`--json`: the table as JSON); \
            `ttur-text report toy` runs the paper's saddle-point example. A run directory that is \
            literally named "toy" needs `ttur-text report runs toy`.
            """,
        subcommands: [ReportRuns.self, ReportToy.self],
        defaultSubcommand: ReportRuns.self
    )
}

struct ReportRuns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "One self-contained HTML file: JSD (and FID) against training minutes and iterations, losses, samples.",
        discussion: "Runs are overlaid with a legend labelled from each run's config.json (schedule and learning rates)."
    )

    @Argument(help: "Run directories (each with log.jsonl; config.json and samples/ are used when present), or one experiment directory.")
    var runs: [String] = []
    @Option(help: "Where to write the HTML report.") var out = "report.html"
    @Flag(help: "For an experiment: print the results table as JSON (and write no HTML).") var json = false

    func validate() throws {
        if runs.isEmpty { throw ValidationError("give at least one run directory") }
        if json, runs.count != 1 || !ExperimentDirectory.isExperiment(URL(fileURLWithPath: runs[0])) {
            throw ValidationError("--json needs one experiment directory (holding experiment.json)")
        }
    }

    func run() throws {
        let output = URL(fileURLWithPath: out)
        if runs.count == 1, ExperimentDirectory.isExperiment(URL(fileURLWithPath: runs[0])) {
            let experiment = try Self.experiment(ExperimentDirectory(URL(fileURLWithPath: runs[0])))
            if json {
                print(String(decoding: try ExperimentReport.json(experiment), as: UTF8.self))
                return
            }
            try ExperimentReport.write(experiment, to: output)
            print("wrote \(output.path) (experiment of \(experiment.runCount) runs)")
            return
        }
        try RunReport.write(runs: runs.map { URL(fileURLWithPath: $0) }, to: output)
        print("wrote \(output.path) (\(runs.count) run\(runs.count == 1 ? "" : "s"))")
    }
}

extension ReportRuns {
    /// The experiment's runs, by schedule, read as run records (those without a log yet are named apart).
    static func experiment(_ directory: ExperimentDirectory) throws -> ExperimentReport.Experiment {
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
        return ExperimentReport.Experiment(title: directory.url.path, mode: configuration.mode.rawValue, schedules: schedules,
                                           notStarted: notStarted)
    }
}

struct ReportToy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toy",
        abstract: "The paper's saddle-point example f(x, y) = (1 + x²)(100 − y²) under one and two time-scales, as HTML.",
        discussion: """
            Descent in x, ascent in y, Gaussian noise on the gradients, start (0.5, −0.4); settings: \
            one time-scale 0.01 and 0.001, TTUR 0.0001/0.01 and 0.01/0.0001 (learning rate of x first). \
            Prints each setting's outcome.
            """
    )

    @Option(help: "Where to write the HTML page.") var out = "toy.html"
    @Option(help: "Steps per run.") var steps = 5_000
    @Option(help: "Seed of the plotted runs (noise draws).") var seed: UInt64 = 0
    @Option(help: "Seeds (from --seed on) whose outcomes are counted.") var seeds = 20
    @Option(help: "Standard deviation σ of the gradient noise.") var noise = 1.0
    @Option(help: "Seeds of the RMS-distance table (measured to 10× --steps).") var ensembleSeeds = 200

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
        if seeds < 1 || ensembleSeeds < 1 { throw ValidationError("--seeds and --ensemble-seeds must be at least 1") }
        if !(noise >= 0) { throw ValidationError("--noise must not be negative") }
    }

    func run() throws {
        var options = ToyExperiment.Options()
        options.steps = steps
        options.seed = seed
        options.seeds = seeds
        options.noise = noise
        options.ensembleSeeds = ensembleSeeds
        let output = URL(fileURLWithPath: out)
        let results = ToyExperiment.run(options)
        do {
            try ToyReport.html(results, options).write(to: output, atomically: true, encoding: .utf8)
        } catch {
            throw LocatedError(file: output.path, "cannot write: \(error.localizedDescription)")
        }
        for result in results { print(ToyReport.summary(result, options)) }
        print("wrote \(output.path)")
    }
}
