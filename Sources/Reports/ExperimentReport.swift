import Basics
import Foundation

/// The report over an experiment (schedules × seeds, `ttur-text experiment`), in the paper's
/// form: for JSD-4 and JSD-6 (or FID) the mean over seeds with a shaded min–max band, one
/// colour per schedule, against training minutes and against iterations; below it the results
/// table (best score per seed: mean and min–max, iterations and minutes at the best) beside
/// the paper's own figures.
///
///     let experiment = ExperimentReport.Experiment(title: dir.path, mode: "language", schedules: …)
///     try ExperimentReport.write(experiment, to: URL(fileURLWithPath: "report.html"))
public enum ExperimentReport {
    /// One seed's run.
    public struct SeedRun: Sendable {
        public var seed: Int
        public var record: RunRecord
        public init(seed: Int, record: RunRecord) { (self.seed, self.record) = (seed, record) }
    }

    /// The runs of one schedule.
    public struct Schedule: Sendable {
        public var name: String
        public var runs: [SeedRun]
        public init(name: String, runs: [SeedRun]) { (self.name, self.runs) = (name, runs) }
    }

    /// What the report shows: the experiment's schedules with the runs that logged, and the
    /// runs not started yet.
    public struct Experiment: Sendable {
        public var title: String
        /// "language" or "image".
        public var mode: String
        public var schedules: [Schedule]
        public var notStarted: [String]
        public init(title: String, mode: String, schedules: [Schedule], notStarted: [String]) {
            (self.title, self.mode, self.schedules, self.notStarted) = (title, mode, schedules, notStarted)
        }

        public var runCount: Int { schedules.map(\.runs.count).reduce(0, +) + notStarted.count }

        /// The scores of the figures and the table: JSD-4 and JSD-6 (else every JSD the runs
        /// logged), or every FID.
        var metrics: [String] {
            let tags = Set(schedules.flatMap { $0.runs.flatMap(\.record.tags) })
            let jsd = tags.filter { $0.hasPrefix("jsd/") }.sorted { Int($0.dropFirst(4)) ?? 0 < Int($1.dropFirst(4)) ?? 0 }
            let paper = jsd.filter { $0 == "jsd/4" || $0 == "jsd/6" }
            let fid = tags.filter { $0 == "fid" || $0.hasPrefix("fid/") }.sorted()
            return (paper.isEmpty ? jsd : paper) + fid
        }
    }

    /// The best of one score in one seed's run: its lowest value, and where it was first reached.
    public struct Best: Codable, Equatable, Sendable {
        public var seed: Int
        public var value: Double
        public var iteration: Int
        public var minutes: Double?
    }

    /// Mean, minimum and maximum over seeds.
    public struct Spread: Codable, Equatable, Sendable {
        public var mean: Double
        public var min: Double
        public var max: Double

        init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            (mean, min, max) = (values.reduce(0, +) / Double(values.count), values.min()!, values.max()!)
        }
    }

    /// One score of one schedule in the results table.
    public struct MetricResult: Codable, Equatable, Sendable {
        public var metric: String
        public var best: Spread
        public var iterations: Spread
        public var minutes: Spread?
        public var seeds: [Best]
    }

    /// One row of the results table.
    public struct ScheduleResult: Codable, Equatable, Sendable {
        public var schedule: String
        public var label: String
        public var criticLearningRate: Double?
        public var generatorLearningRate: Double?
        public var criticSteps: Int?
        public var seeds: Int
        public var metrics: [MetricResult]
        /// The paper's own figures for this schedule, in words.
        public var paper: String?
    }

    /// Writes the HTML report.
    /// - throws: `LocatedError` when it cannot be written.
    public static func write(_ experiment: Experiment, to output: URL, generated: Date = Date()) throws {
        do {
            try html(experiment, generated: generated).write(to: output, atomically: true, encoding: .utf8)
        } catch {
            throw LocatedError(file: output.path, "cannot write the report: \(error.localizedDescription)")
        }
    }

    /// The results table as JSON (`report DIR --json`).
    public static func json(_ experiment: Experiment) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(results(experiment))
    }

    /// The results table: per schedule, for each score, the best value of each seed.
    public static func results(_ experiment: Experiment) -> [ScheduleResult] {
        experiment.schedules.map { schedule in
            let settings = schedule.runs.first?.record.settings ?? [:]
            let metrics = experiment.metrics.compactMap { metric -> MetricResult? in
                let bests = schedule.runs.compactMap { best(of: metric, in: $0) }
                guard let value = Spread(bests.map(\.value)), let iterations = Spread(bests.map { Double($0.iteration) })
                else { return nil }
                let minutes = bests.allSatisfy { $0.minutes != nil } ? Spread(bests.compactMap(\.minutes)) : nil
                return MetricResult(metric: metric, best: value, iterations: iterations, minutes: minutes, seeds: bests)
            }
            return ScheduleResult(
                schedule: schedule.name, label: schedule.runs.first?.record.label ?? schedule.name,
                criticLearningRate: (settings["criticLearningRate"] ?? settings["discriminatorLearningRate"]).flatMap(Double.init),
                generatorLearningRate: settings["generatorLearningRate"].flatMap(Double.init),
                criticSteps: (settings["criticIterations"] ?? settings["criticSteps"]).flatMap(Int.init), seeds: schedule.runs.count,
                metrics: metrics,
                paper: PaperFigures.text(mode: PaperFigures.family(experiment.mode, settings: settings), schedule: schedule.name))
        }
    }

    /// The lowest value of `metric` in a seed's log, at its first occurrence.
    static func best(of metric: String, in run: SeedRun) -> Best? {
        var best: Best?
        for point in run.record.points {
            guard let value = point.values[metric], value.isFinite, value < (best?.value ?? .infinity) else { continue }
            best = Best(seed: run.seed, value: value, iteration: point.iteration, minutes: point.seconds.map { $0 / 60 })
        }
        return best
    }

    /// The band of one schedule's seeds for `metric` against `x`.
    static func band(_ schedule: Schedule, metric: String, x: RunRecord.XQuantity) -> SeedBand? {
        SeedBand.resample(schedule.runs.map { $0.record.curve(metric, against: x) })
    }

    public static func html(_ experiment: Experiment, generated: Date = Date()) -> String {
        let metrics = experiment.metrics
        let seedCounts = experiment.schedules.map { "\($0.runs.count) \($0.name)" }.joined(separator: ", ")
        var body = "<h1>ttur-text experiment: \(HTMLPage.escape(experiment.title))</h1>\n"
        body += "<p class=\"meta\">\(experiment.mode) · seeds: \(HTMLPage.escape(seedCounts)) · generated \(HTMLPage.escape(ISO8601DateFormatter().string(from: generated))) · time is training wall-clock (evaluation excluded)</p>\n"
        if !experiment.notStarted.isEmpty {
            body += "<p>Not started yet (no log): \(HTMLPage.escape(experiment.notStarted.joined(separator: ", "))).</p>\n"
        }
        body += """
            <p>Each line is the mean over the seeds of a schedule, the shaded band spans their minimum to their \
            maximum, as in the paper's figures. Every seed's curve is interpolated linearly onto a common grid \
            of \(SeedBand.gridPoints) points that covers only the range where every seed has data.</p>

            """
        for x in [RunRecord.XQuantity.minutes, .iterations] {
            let heading = x == .minutes ? "against training time" : "against iterations"
            body += "<h2>\(HTMLPage.escape("Mean and min–max over seeds, " + heading))</h2>\n<div class=\"grid\">\n"
            body += metrics.map { chart(experiment, metric: $0, x: x) }.joined(separator: "\n")
            body += "\n</div>\n"
        }
        body += resultsTable(experiment, metrics: metrics)
        body += runsTable(experiment)
        return HTMLPage.document(title: "ttur-text experiment: \(experiment.title)", body: body)
    }

    private static func chart(_ experiment: Experiment, metric: String, x: RunRecord.XQuantity) -> String {
        let series = experiment.schedules.enumerated().compactMap { index, schedule -> ChartSeries? in
            guard let band = band(schedule, metric: metric, x: x) else { return nil }
            let label = (schedule.runs.first?.record.label ?? schedule.name) + " (\(schedule.runs.count) seeds)"
            return ChartSeries(label: label, color: RunReport.palette[index % RunReport.palette.count],
                               points: Array(zip(band.x, band.mean)).map { (x: $0.0, y: $0.1) },
                               band: (0..<band.x.count).map { (x: band.x[$0], low: band.low[$0], high: band.high[$0]) })
        }
        return LineChart(title: RunReport.title(of: metric), xLabel: x == .minutes ? "training time (minutes)" : "iteration",
                         yLabel: metric.hasPrefix("jsd/") ? "JSD (bits)" : "FID", series: series).svg()
    }

    private static func resultsTable(_ experiment: Experiment, metrics: [String]) -> String {
        let results = results(experiment)
        var header = ["schedule", "critic / discriminator lr", "generator lr", "critic steps", "seeds"]
        for metric in metrics {
            let name = RunReport.title(of: metric)
            header += ["best \(name): mean (min–max)", "iteration at best", "minutes at best"]
        }
        let settings = experiment.schedules.first?.runs.first?.record.settings ?? [:]
        header.append("paper (\(PaperFigures.source(mode: PaperFigures.family(experiment.mode, settings: settings))))")
        let rows = results.enumerated().map { index, result -> [String] in
            let swatch = "<span class=\"swatch\" style=\"background:\(RunReport.palette[index % RunReport.palette.count])\"></span>"
            var row = [swatch + HTMLPage.escape(result.label),
                       result.criticLearningRate.map { NumberText.compact($0) } ?? "–",
                       result.generatorLearningRate.map { NumberText.compact($0) } ?? "–",
                       result.criticSteps.map(String.init) ?? "–", String(result.seeds)]
            for metric in metrics {
                guard let m = result.metrics.first(where: { $0.metric == metric }) else { row += ["–", "–", "–"]; continue }
                row += [spread(m.best, format: "%.4f"), spread(m.iterations, format: "%.0f"),
                        m.minutes.map { spread($0, format: "%.2f") } ?? "–"]
            }
            row.append(HTMLPage.escape(result.paper ?? "–"))
            return row
        }
        return "<h2>Results</h2>\n<p>Per seed the lowest value of the score and the iteration and training minutes where it was first reached; mean over seeds with (minimum–maximum). <code>ttur-text report DIR --json</code> prints this table.</p>\n"
            + HTMLPage.table(header: header, rows: rows)
    }

    private static func runsTable(_ experiment: Experiment) -> String {
        let header = ["schedule", "seed", "directory", "evaluations", "last iteration", "training minutes"]
        let rows = experiment.schedules.flatMap { schedule in
            schedule.runs.map { run -> [String] in
                [HTMLPage.escape(schedule.name), String(run.seed), HTMLPage.escape(run.record.directory.path),
                 String(run.record.points.count), String(run.record.points.last!.iteration),
                 run.record.points.compactMap(\.seconds).last.map { String(format: "%.2f", $0 / 60) } ?? "–"]
            }
        }
        return "<h2>Runs</h2>\n" + HTMLPage.table(header: header, rows: rows)
    }

    private static func spread(_ s: Spread, format: String) -> String {
        String(format: format, s.mean) + " (" + String(format: format, s.min) + "–" + String(format: format, s.max) + ")"
    }
}

/// The paper's own results (Heusel et al. 2017: Table A4 for the language model, the results
/// table for DCGAN on CIFAR-10, as in ../shared/paper/ttur-poster.txt) beside ours.
enum PaperFigures {
    /// The paper's experiment family of a run: "language", "image" (DCGAN) or "wgan-gp-image"
    /// (a run whose settings have WGAN-GP critic steps).
    static func family(_ mode: String, settings: [String: String]) -> String {
        mode == "image" && settings["criticSteps"] != nil ? "wgan-gp-image" : mode
    }

    static func source(mode: String) -> String {
        switch mode {
        case "language": return "Table A4, One Billion Word, WGAN-GP"
        case "wgan-gp-image": return "its WGAN-GP image table, CIFAR-10, Inception FID"
        default: return "its results table, CIFAR-10, DCGAN, Inception FID"
        }
    }

    static func text(mode: String, schedule: String) -> String? {
        switch (mode, schedule) {
        case ("language", "ttur"):
            return "TTUR 3e-4, 1e-4, 1 critic step: JSD-4 0.35 at 98k iterations / 1,150 min; JSD-6 0.74 at 1,120 min"
        case ("language", "orig"):
            return "orig 1e-4, 10 critic steps: JSD-4 0.38 at 33k iterations / 1,040 min; JSD-6 0.77 at 1,070 min"
        case ("image", "ttur"): return "TTUR 1e-4, 5e-4: FID 36.9 at 75k updates"
        case ("image", "orig"): return "orig 1e-4: FID 37.7 at 100k updates"
        case ("wgan-gp-image", "ttur"): return "TTUR 3e-4, 1e-4: FID 24.8 after 700 min"
        case ("wgan-gp-image", "orig"): return "orig 1e-4: FID 29.3 after 800 min"
        default: return nil
        }
    }
}
