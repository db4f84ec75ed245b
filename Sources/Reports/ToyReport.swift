import Foundation
import Toy

/// The saddle-point demo (`ToyExperiment`, run in `Toy`) drawn as an HTML page: for each of
/// the paper's four settings the objective, the distance to the saddle point and the x–y path
/// of one seeded run, the outcome in words, how often each outcome occurs over further seeds,
/// and how it compares with the paper.
///
///     try ToyReport.html(ToyExperiment.Options()).write(to: out, atomically: true, encoding: .utf8)
public enum ToyReport {
    /// One line per setting: the plotted run's outcome, the count over seeds, and how it
    /// compares with the paper.
    public static func summary(_ result: ToyExperiment.Result, _ options: ToyExperiment.Options) -> String {
        sentence(result, options) + " " + paperComparison(result) + "."
    }

    static func paperComparison(_ result: ToyExperiment.Result) -> String {
        "Paper: \(result.setting.paperClaim); this \(agreement(result).text)"
    }

    /// How the outcome compares with the paper: the single run's verdict, except where the
    /// ensemble shows what one run cannot — runs that never blow up but spread out without
    /// bound (their RMS distance grows at every measured step and passes the start) diverge in
    /// distribution, which is the paper's "diverges"; runs that approach and then drift away
    /// do not converge, whatever one run looks like at the last step.
    static func agreement(_ result: ToyExperiment.Result) -> (agrees: Bool, text: String) {
        let values = result.ensemble.rmsDistance.map(\.value)
        let spreading = values.count > 2 && zip(values, values.dropFirst()).allSatisfy { $0 < $1 }
            && values.last! > startDistance
        if !result.setting.paperConverges, spreading {
            return (true, "agrees with the paper: no run blows up within these steps, but the runs spread out without bound (RMS distance \(fixed(values.first!)) → \(fixed(values.last!)) at step \(result.ensemble.rmsDistance.last!.step)), i.e. it diverges in distribution")
        }
        if result.setting.paperConverges, let low = values.min(), low < startDistance, values.last! > startDistance {
            return (false, "differs from the paper: it approaches the saddle point (RMS distance down to \(fixed(low))) and then drifts away (\(fixed(values.last!)) at step \(result.ensemble.rmsDistance.last!.step)); it does not converge")
        }
        return result.setting.agreement(with: result.outcome.verdict)
    }

    /// The plotted run's outcome and the count over seeds.
    public static func sentence(_ result: ToyExperiment.Result, _ options: ToyExperiment.Options) -> String {
        let outcome = result.outcome
        let start = (SaddlePoint.start.x * SaddlePoint.start.x + SaddlePoint.start.y * SaddlePoint.start.y).squareRoot()
        var text = "\(result.setting.name): \(outcome.verdict.rawValue) — distance to the saddle point "
        text += "\(fixed(start)) at the start, \(fixed(outcome.finalDistance)) after \(options.steps) steps "
        text += "(mean over the last tenth \(fixed(outcome.tailDistance))), objective \(fixed(outcome.finalObjective))"
        if outcome.verdict == .converged, let first = outcome.firstWithin { text += "; first within \(fixed(SaddlePoint.convergenceDistance)) at step \(first)" }
        let counted = SaddlePoint.Verdict.allCases.compactMap { verdict in
            result.verdictCounts[verdict].map { "\(verdict.rawValue) in \($0)" }
        }
        let rms = result.ensemble.rmsDistance.map { "\(fixed($0.value)) at step \($0.step)" }.joined(separator: ", ")
        return text + ". Over \(options.seeds) seeds: \(counted.joined(separator: ", ")). RMS distance over "
            + "\(result.ensemble.seeds) seeds: \(rms)."
    }

    public static func html(_ options: ToyExperiment.Options = ToyExperiment.Options()) -> String {
        html(ToyExperiment.run(options), options)
    }

    /// The page for results already computed (the ensemble runs take seconds; `report toy`
    /// prints the same results it draws).
    public static func html(_ results: [ToyExperiment.Result], _ options: ToyExperiment.Options) -> String {
        let colors = RunReport.palette
        var body = "<h1>TTUR on the saddle-point toy problem</h1>\n"
        body += """
            <p>Objective f(x, y) = (1 + x²)(100 − y²), saddle point (0, 0) with f = 100. Gradient descent in x \
            with learning rate a, gradient ascent in y with learning rate b, each on its own gradient plus Gaussian \
            noise (σ = \(fixed(options.noise))), both from the same iterate; start (\(fixed(SaddlePoint.start.x)), \
            \(fixed(SaddlePoint.start.y))), \(options.steps) steps, seed \(options.seed). Near the saddle, one step \
            multiplies x by 1 − 200a and y by 1 − 2b: a run converges when both factors are below 1 in size, and \
            it does so fastest when they are small. A run counts as converged when its mean distance to the saddle \
            over the last tenth of the steps is below \(fixed(SaddlePoint.convergenceDistance)), as diverged when it \
            leaves the distance \(fixed(SaddlePoint.divergenceDistance)) or overflows.</p>

            """
        body += "<h2>Outcomes</h2>\n<ul>\n" + results.map { result in
            let comparison = agreement(result)
            let mark = "<span class=\"\(comparison.agrees ? "good" : "bad")\">\(HTMLPage.escape(comparison.text))</span>"
            return "<li>\(HTMLPage.escape(sentence(result, options))) Paper: \(HTMLPage.escape(result.setting.paperClaim)) — \(mark).</li>"
        }.joined(separator: "\n") + "\n</ul>\n"
        body += "<p>\(HTMLPage.escape(authorsNotebook))</p>\n"
        body += HTMLPage.table(
            header: ["setting", "a (x)", "b (y)", "|1 − 200a|", "|1 − 2b|", "outcome (seed \(options.seed))", "final distance",
                     "median tail distance over \(options.seeds) seeds", "paper"],
            rows: results.map { result in
                let s = result.setting
                return [HTMLPage.escape(s.name), NumberText.compact(s.xLearningRate), NumberText.compact(s.yLearningRate),
                        String(format: "%.4f", abs(1 - 200 * s.xLearningRate)), String(format: "%.4f", abs(1 - 2 * s.yLearningRate)),
                        result.outcome.verdict.rawValue, String(format: "%.4f", result.outcome.finalDistance),
                        String(format: "%.4f", result.medianTailDistance), HTMLPage.escape(s.paperClaim)]
            })

        let steps = ToyExperiment.ensembleSteps(options)
        body += "<h2>On average: RMS distance over \(options.ensembleSeeds) seeds</h2>\n"
        body += """
            <p>One run shows one draw of the noise. The root-mean-square distance to the saddle over \
            \(options.ensembleSeeds) seeds shows what the noise does on average, also past the paper's \
            \(options.steps) steps. It starts at \(fixed(startDistance)). A value that keeps growing means the \
            setting diverges in distribution (its runs spread out without bound) even when no single run blows up.</p>

            """
        body += HTMLPage.table(
            header: ["setting"] + steps.map { "step \($0)" } + ["paper"],
            rows: results.map { result in
                [HTMLPage.escape(result.setting.name)]
                    + steps.map { step in result.ensemble.value(at: step).map { String(format: "%.4f", $0) } ?? "–" }
                    + [HTMLPage.escape(result.setting.paperClaim)]
            })

        let overlaid = results.enumerated().map { index, result in
            ChartSeries(label: result.setting.name, color: colors[index % colors.count],
                        points: result.points.enumerated().map { (Double($0.offset), distance($0.element)) })
        }
        body += "<h2>All four settings</h2>\n<div class=\"grid\">\n"
        body += LineChart(title: "Distance to the saddle point", xLabel: "step", yLabel: "‖(x, y)‖ (log scale)",
                          series: overlaid, yScale: .log10, width: 620, height: 340).svg()
        body += "\n</div>\n"

        for (index, result) in results.enumerated() {
            let color = colors[index % colors.count]
            let name = result.setting.name
            let objective = result.points.enumerated().map { (Double($0.offset), SaddlePoint.objective($0.element.x, $0.element.y)) }
            let distances = result.points.enumerated().map { (Double($0.offset), distance($0.element)) }
            body += "<h2>\(HTMLPage.escape(name))</h2>\n<p>\(HTMLPage.escape(summary(result, options)))</p>\n<div class=\"grid\">\n"
            body += LineChart(title: "\(name): objective", xLabel: "step", yLabel: "f(x, y) (saddle value 100)",
                              series: [ChartSeries(label: "f(x, y)", color: color, points: objective)],
                              width: 400, height: 290).svg() + "\n"
            body += LineChart(title: "\(name): distance", xLabel: "step", yLabel: "‖(x, y)‖ (log scale)",
                              series: [ChartSeries(label: "distance to (0, 0)", color: color, points: distances)],
                              yScale: .log10, width: 400, height: 290).svg() + "\n"
            body += LineChart(title: "\(name): path", xLabel: "x", yLabel: "y",
                              series: [ChartSeries(label: "(x, y) over \(result.points.count - 1) steps", color: color,
                                                   points: result.points)],
                              markers: [ChartMarker(x: SaddlePoint.start.x, y: SaddlePoint.start.y, label: "start", color: "#444"),
                                        ChartMarker(x: 0, y: 0, label: "saddle", color: "#000")],
                              isPath: true, width: 400, height: 290).svg() + "\n"
            body += "</div>\n"
        }
        return HTMLPage.document(title: "TTUR saddle-point toy", body: body)
    }

    /// What the authors' own notebook shows for the fourth setting (checked in bioinf-jku/TTUR
    /// at 73ab375: the printed final state of `run(base_lr, base_lr / 100, 5000, 1)` and the
    /// stored figure's "norms" panel, row "TTUR y").
    static let authorsNotebook = """
        The authors' own notebook (Toy_Data_Example/ttur_example_saddle.ipynb in the TTUR repository: \
        lr_x 0.01, lr_y 0.0001, σ = 1, 5,000 steps, from (0.5, −0.4)) shows the same fourth-row outcome as ours: \
        its plot's norm falls to about 0.3 and then wanders between about 0.15 and 0.45, and its stored final \
        norm is 0.14 (x 0.024, y −0.141). So the paper's "converges but slower" is contradicted by its own \
        figure; the notebook's text itself says only that this setting "is still more stable than the \
        one-time scale update".
        """

    static var startDistance: Double { distance(SaddlePoint.start) }

    private static func distance(_ point: (x: Double, y: Double)) -> Double { (point.x * point.x + point.y * point.y).squareRoot() }

    private static func fixed(_ value: Double) -> String { NumberText.fixed(value, significant: 3) }
}
