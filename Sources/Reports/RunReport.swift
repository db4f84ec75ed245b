import Basics
import Foundation

/// The HTML report over training runs: JSD for each n (and FID, when logged) against
/// training wall-clock minutes and against iterations, the other logged numbers (losses),
/// and the newest samples of each run, with the runs overlaid as in the paper's figures.
///
///     let runs = try directories.map(RunRecord.init(directory:))
///     try RunReport.html(runs).write(to: out, atomically: true, encoding: .utf8)
public enum RunReport {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    /// How many lines of each run's newest samples the report shows.
    static let sampleLines = 20

    /// Reads the runs in `directories` and writes the report to `output`.
    /// - throws: `LocatedError` for a run that cannot be read or an output that cannot be written.
    public static func write(runs directories: [URL], to output: URL, generated: Date = Date()) throws {
        guard !directories.isEmpty else { throw LocatedError("no run directories given") }
        let runs = try directories.map(RunRecord.init(directory:))
        do {
            try html(runs, generated: generated).write(to: output, atomically: true, encoding: .utf8)
        } catch {
            throw LocatedError(file: output.path, "cannot write the report: \(error.localizedDescription)")
        }
    }

    /// The report as one self-contained HTML document.
    public static func html(_ runs: [RunRecord], generated: Date = Date()) -> String {
        let runs = distinctLabels(runs)
        let tags = Array(Set(runs.flatMap(\.tags))).sorted(by: tagOrder)
        // The JSD of n-grams not all padding: the order the best checkpoint is chosen by, beside the paper's.
        let jsd = tags.filter { $0.hasPrefix("jsd/") } + tags.filter { $0 == selectionJSD }
        let fid = tags.filter { $0 == "fid" || $0.hasPrefix("fid/") }
        let kidPR = tags.filter { tag in Self.kidPRNames.keys.contains { tag == $0 || tag.hasPrefix($0 + "/") } }
        let others = tags.filter { tag in
            !jsd.contains(tag) && !fid.contains(tag) && !kidPR.contains(tag) && tag != "seconds"
                && !["jsd_nonpadding/", "selection/"].contains { tag.hasPrefix($0) }
        }

        var body = "<h1>ttur-text report</h1>\n"
        body += "<p class=\"meta\">\(runs.count) run(s) · generated \(HTMLPage.escape(ISO8601DateFormatter().string(from: generated))) · time is training wall-clock (evaluation excluded) · ● best: each run's best evaluation by its monitored score (the checkpoint kept as checkpoints/best.safetensors)</p>\n"
        body += runsTable(runs, jsd: jsd, fid: fid)
        if !jsd.isEmpty {
            body += section("Jensen-Shannon divergence against training time",
                            "n-gram JSD of generated sentences against the corpus statistics, in bits: 0 = the same n-gram distribution, 1 = disjoint (lower is better), as in the paper's language figures.",
                            jsd.map { chart(runs, tag: $0, x: .minutes) })
            body += section("Jensen-Shannon divergence against iterations", nil, jsd.map { chart(runs, tag: $0, x: .iterations) })
        }
        if !fid.isEmpty {
            body += section("Fréchet Inception Distance", "Lower is better.",
                            fid.map { chart(runs, tag: $0, x: .minutes) } + fid.map { chart(runs, tag: $0, x: .iterations) })
        }
        if !kidPR.isEmpty {
            body += section("KID, precision and recall",
                            "On FID's features: KID lower is better (mean over subsets; kid_std their spread), precision and recall higher (the share of generated images on the real manifold, and of real images on the generated one).",
                            kidPR.map { chart(runs, tag: $0, x: .minutes) })
        }
        if !others.isEmpty {
            body += section("Losses and other logged values", nil, others.map { chart(runs, tag: $0, x: .iterations) })
        }
        body += samplesSection(runs)
        return HTMLPage.document(title: "ttur-text report: " + runs.map(\.label).joined(separator: " vs "), body: body)
    }

    /// The flattened tag of the JSD the language trainer selects by (its `selectionMetric`).
    static let selectionJSD = "jsd_nonpadding/4"

    /// A chart of `tag` over the runs, with each run's best evaluation marked on score charts.
    private static func chart(_ runs: [RunRecord], tag: String, x: RunRecord.XQuantity) -> String {
        let series = runs.enumerated().map { index, run in
            let points = run.curve(tag, against: x)
            return ChartSeries(label: run.label, color: palette[index % palette.count], points: points, dots: points.count <= 40)
        }
        let scored = tag.hasPrefix("jsd") || tag.hasPrefix("fid")
        let markers = !scored ? [] : runs.enumerated().compactMap { index, run -> ChartMarker? in
            guard let best = run.best, let point = run.position(of: best, tag, against: x) else { return nil }
            return ChartMarker(x: point.x, y: point.y, label: "best", color: palette[index % palette.count])
        }
        return LineChart(title: title(of: tag), xLabel: x == .minutes ? "training time (minutes)" : "iteration",
                         yLabel: yLabel(of: tag), series: series, markers: markers).svg()
    }

    private static func section(_ heading: String, _ note: String?, _ charts: [String]) -> String {
        var html = "<h2>\(HTMLPage.escape(heading))</h2>\n"
        if let note { html += "<p>\(HTMLPage.escape(note))</p>\n" }
        return html + "<div class=\"grid\">\n" + charts.joined(separator: "\n") + "\n</div>\n"
    }

    private static func runsTable(_ runs: [RunRecord], jsd: [String], fid: [String]) -> String {
        let shown = jsd.filter { ["jsd/4", "jsd/6", selectionJSD].contains($0) } + fid
        let finals = shown.isEmpty ? Array(jsd.suffix(2)) : shown
        let header = ["run", "directory", "schedule", "critic / discriminator lr", "generator lr", "critic steps", "evaluations",
                      "last iteration", "training minutes"] + finals.map { "last " + title(of: $0) }
            + ["best iteration"] + finals.map { "best " + title(of: $0) }
        let rows = runs.enumerated().map { index, run -> [String] in
            let last = run.points.last!
            let swatch = "<span class=\"swatch\" style=\"background:\(palette[index % palette.count])\"></span>"
            var row = [swatch + HTMLPage.escape(run.label), HTMLPage.escape(run.directory.path)]
            row += [run.settings["schedule"], run.settings["criticLearningRate"] ?? run.settings["discriminatorLearningRate"],
                    run.settings["generatorLearningRate"], run.settings["criticIterations"]].map { HTMLPage.escape($0 ?? "–") }
            row += [String(run.points.count), String(last.iteration),
                    run.points.compactMap(\.seconds).last.map { String(format: "%.2f", $0 / 60) } ?? "–"]
            row += finals.map { tag in
                run.points.last { $0.values[tag] != nil }?.values[tag].map { String(format: "%.4f", $0) } ?? "–"
            }
            let best = run.best
            row.append(best.map { String($0.iteration) } ?? "–")
            row += finals.map { tag in best?.values[tag].map { String(format: "%.4f", $0) } ?? "–" }
            return row
        }
        return "<h2>Runs</h2>\n" + HTMLPage.table(header: header, rows: rows)
    }

    private static func samplesSection(_ runs: [RunRecord]) -> String {
        var html = "<h2>Latest samples</h2>\n"
        for run in runs {
            if let grid = run.latestGrid {
                html += "<h3>\(HTMLPage.escape(run.label)) · iteration \(grid.iteration)</h3>\n"
                html += "<img alt=\"generated images of \(HTMLPage.escape(run.label))\" style=\"image-rendering: pixelated; width: 100%; max-width: 560px\" src=\"data:image/png;base64,\(grid.png.base64EncodedString())\">\n"
                continue
            }
            guard let samples = run.latestSamples else {
                html += "<h3>\(HTMLPage.escape(run.label))</h3>\n<p>No samples written.</p>\n"
                continue
            }
            html += "<h3>\(HTMLPage.escape(run.label)) · iteration \(samples.iteration) · first \(min(sampleLines, samples.lines.count)) of \(samples.lines.count)</h3>\n"
            html += "<pre>" + samples.lines.prefix(sampleLines).map(HTMLPage.escape).joined(separator: "\n") + "</pre>\n"
        }
        return html
    }

    /// Runs with the same label get their directory name appended, so the legend tells them apart.
    private static func distinctLabels(_ runs: [RunRecord]) -> [RunRecord] {
        let counts = Dictionary(grouping: runs, by: \.label).mapValues(\.count)
        return runs.map { run in
            var copy = run
            if counts[run.label, default: 0] > 1 { copy.label += " · " + run.directory.lastPathComponent }
            return copy
        }
    }

    static func title(of tag: String) -> String {
        if tag.hasPrefix("jsd/") { return "JSD \(tag.dropFirst(4))-gram" }
        if tag.hasPrefix("jsd_nonpadding/") { return "JSD \(tag.dropFirst(15))-gram of n-grams not all padding" }
        if tag == "fid" { return "FID" }
        if tag.hasPrefix("fid/") { return "FID \(tag.dropFirst(4))" }
        for (key, name) in kidPRNames where tag == key || tag.hasPrefix(key + "/") {
            return tag == key ? name : "\(name) \(tag.dropFirst(key.count + 1))"
        }
        let names = ["critic_loss": "critic loss", "gen_loss": "generator loss", "wasserstein": "Wasserstein estimate",
                     "gradient_penalty": "gradient penalty"]
        return names[tag] ?? tag.replacingOccurrences(of: "_", with: " ")
    }

    /// The image scores logged beside FID (`image train --kid --pr`).
    static let kidPRNames = ["kid": "KID", "kid_std": "KID standard deviation", "precision": "precision", "recall": "recall"]

    private static func yLabel(of tag: String) -> String {
        if tag.hasPrefix("jsd") { return "JSD (bits)" }
        if tag.hasPrefix("fid") { return "FID" }
        return title(of: tag)
    }

    /// JSD orders numerically (2 before 10), everything else by name.
    private static func tagOrder(_ a: String, _ b: String) -> Bool {
        if a.hasPrefix("jsd/"), b.hasPrefix("jsd/"), let m = Int(a.dropFirst(4)), let n = Int(b.dropFirst(4)) { return m < n }
        return a < b
    }
}
