import Foundation

/// The quality–diversity figure of `eval sweep`: for each model a path through its sampling
/// temperatures, diversity (self-BLEU-4, lower is more diverse) across and quality (BLEU-4)
/// up, each point labelled with its temperature; and the page holding it with the table.
public enum QualityDiversityChart {
    /// One model's points, in temperature order.
    public struct Curve {
        public var label: String
        public var points: [(temperature: Double, diversity: Double, quality: Double)]
        public init(label: String, points: [(temperature: Double, diversity: Double, quality: Double)]) {
            (self.label, self.points) = (label, points)
        }
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    /// The figure as an inline SVG element.
    public static func svg(_ curves: [Curve], xLabel: String = "self-BLEU-4 (lower: more diverse)",
                           yLabel: String = "BLEU-4 against real sentences") -> String {
        let series = curves.enumerated().map { index, curve in
            ChartSeries(label: curve.label, color: colors[index % colors.count],
                        points: curve.points.map { ($0.diversity, $0.quality) }, dots: true)
        }
        let markers = curves.enumerated().flatMap { index, curve in
            curve.points.map { ChartMarker(x: $0.diversity, y: $0.quality, label: String(format: "T=%g", $0.temperature),
                                           color: colors[index % colors.count]) }
        }
        return LineChart(title: "Quality against diversity over temperatures", xLabel: xLabel, yLabel: yLabel,
                         series: series, markers: markers, isPath: true).svg()
    }

    /// A self-contained HTML page: the figure and a table of every temperature's scores.
    public static func page(title: String, curves: [Curve], header: [String], rows: [[String]]) -> String {
        HTMLPage.document(title: title, body: "<h1>\(HTMLPage.escape(title))</h1>\n" + svg(curves) + "\n"
                          + HTMLPage.table(header: header.map(HTMLPage.escape), rows: rows.map { $0.map(HTMLPage.escape) }))
    }
}
