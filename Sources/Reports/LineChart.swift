import Foundation

/// One line of a chart.
struct ChartSeries {
    var label: String
    var color: String
    var points: [(x: Double, y: Double)]
    /// Draw each point as a dot as well (for short series such as a few evaluations).
    var dots = false
    /// A shaded range around the line (the min–max over seeds), in the series' colour.
    var band: [(x: Double, low: Double, high: Double)] = []
}

/// A labelled point drawn on top of the lines (a start or a target).
struct ChartMarker {
    var x: Double, y: Double
    var label: String
    var color: String
}

/// A line chart as an inline SVG element: title, legend, axes with ticks and labels, grid.
///
///     LineChart(title: "JSD 4-gram", xLabel: "training time (minutes)", yLabel: "JSD",
///               series: [ChartSeries(label: "TTUR", color: "#1f77b4", points: points)]).svg()
struct LineChart {
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [ChartSeries]
    var markers: [ChartMarker] = []
    var yScale: Axis.Scale = .linear
    /// Keep the points in the order given (a path through the plane) instead of sorting by x,
    /// and never thin them out.
    var isPath = false
    var width = 430.0
    var height = 300.0

    private let left = 64.0, right = 16.0, top = 34.0, bottom = 46.0
    private static let legendRowHeight = 16.0

    func svg() -> String {
        let legend = legendRows()
        let plotTop = top + Double(legend.count) * Self.legendRowHeight + (legend.isEmpty ? 0 : 4)
        let totalHeight = height + plotTop - top
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let visible = series.filter { !$0.points.isEmpty }
        let xs = visible.flatMap { $0.points.map(\.x) } + markers.map(\.x)
        let ys = visible.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.low, $0.high] } } + markers.map(\.y)
        let xAxis = Axis(covering: xs, scale: .linear, targetTicks: 6)
        let yAxis = Axis(covering: ys, scale: yScale)
        func px(_ x: Double) -> Double { left + xAxis.fraction(x) * plotWidth }
        func py(_ y: Double) -> Double { plotTop + (1 - yAxis.fraction(y)) * plotHeight }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(totalHeight))" viewBox="0 0 \(f(width)) \(f(totalHeight))" role="img" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <title>\(HTMLPage.escape(title))</title>
            <text x="\(f(width / 2))" y="20" text-anchor="middle" font-size="14" font-weight="bold">\(HTMLPage.escape(title))</text>

            """
        for (row, entries) in legend.enumerated() {
            let y = top + 6 + Double(row) * Self.legendRowHeight
            for entry in entries {
                svg += "<line x1=\"\(f(entry.x))\" y1=\"\(f(y - 4))\" x2=\"\(f(entry.x + 18))\" y2=\"\(f(y - 4))\" stroke=\"\(entry.color)\" stroke-width=\"3\"/>"
                svg += "<text x=\"\(f(entry.x + 22))\" y=\"\(f(y))\" font-size=\"11\">\(HTMLPage.escape(entry.label))</text>\n"
            }
        }
        for tick in yAxis.ticks {
            let y = py(tick)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#e6e6e6\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"11\">\(yAxis.label(tick))</text>\n"
        }
        for tick in xAxis.ticks {
            let x = px(tick)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(plotTop))\" x2=\"\(f(x))\" y2=\"\(f(plotTop + plotHeight))\" stroke=\"#e6e6e6\"/>"
            svg += "<text x=\"\(f(x))\" y=\"\(f(plotTop + plotHeight + 16))\" text-anchor=\"middle\" font-size=\"11\">\(xAxis.label(tick))</text>\n"
        }
        svg += "<rect x=\"\(f(left))\" y=\"\(f(plotTop))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#888\"/>\n"
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(plotTop + plotHeight + 36))\" text-anchor=\"middle\" font-size=\"12\">\(HTMLPage.escape(xLabel))</text>\n"
        let yMid = plotTop + plotHeight / 2
        svg += "<text x=\"16\" y=\"\(f(yMid))\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 \(f(yMid)))\">\(HTMLPage.escape(yLabel))</text>\n"

        let clip = "clip-" + String(Self.stableHash([title, xLabel, yLabel] + series.map(\.label)), radix: 36)
        svg += "<clipPath id=\"\(clip)\"><rect x=\"\(f(left))\" y=\"\(f(plotTop))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\"/></clipPath>\n"
        svg += "<g clip-path=\"url(#\(clip))\">\n"
        for line in visible where !line.band.isEmpty {
            let edge = line.band.map { (px($0.x), py($0.high)) } + line.band.reversed().map { (px($0.x), py($0.low)) }
            let outline = edge.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f($0.element.0)) \(f($0.element.1))" }
            svg += "<path d=\"\(outline.joined(separator: " ")) Z\" fill=\"\(line.color)\" fill-opacity=\"0.2\" stroke=\"none\"/>\n"
        }
        for line in visible {
            let drawable = line.points.filter { $0.x.isFinite && $0.y.isFinite && (yScale == .linear || $0.y > 0) }
            let ordered = isPath ? drawable : thin(drawable.sorted { $0.x < $1.x }, columns: Int(plotWidth))
            let path = ordered.enumerated().map { index, point in
                "\(index == 0 ? "M" : "L")\(f(px(point.x))) \(f(py(point.y)))"
            }.joined(separator: " ")
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"\(isPath ? "0.8" : "1.8")\" stroke-linejoin=\"round\"/>\n"
            if line.dots {
                for point in ordered {
                    svg += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"2.5\" fill=\"\(line.color)\"/>"
                }
                svg += "\n"
            }
        }
        for marker in markers {
            let x = px(marker.x), y = py(marker.y)
            svg += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4.5\" fill=\"\(marker.color)\" stroke=\"#fff\"/>"
            svg += "<text x=\"\(f(x + 7))\" y=\"\(f(y - 6))\" font-size=\"11\" font-weight=\"bold\" fill=\"\(marker.color)\">\(HTMLPage.escape(marker.label))</text>\n"
        }
        svg += "</g>\n</svg>"
        return svg
    }

    /// Legend entries laid out left to right, wrapping into rows that fit the width.
    private func legendRows() -> [[(x: Double, label: String, color: String)]] {
        var rows: [[(x: Double, label: String, color: String)]] = []
        var current: [(x: Double, label: String, color: String)] = []
        var x = left
        for line in series {
            let entryWidth = 30 + Double(line.label.count) * 6.6
            if x + entryWidth > width - right, !current.isEmpty {
                rows.append(current)
                current = []
                x = left
            }
            current.append((x, line.label, line.color))
            x += entryWidth + 10
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }

    /// At most the first, lowest, highest and last point of each pixel column, so that a
    /// long series keeps its envelope at a fraction of the size.
    private func thin(_ points: [(x: Double, y: Double)], columns: Int) -> [(x: Double, y: Double)] {
        guard points.count > 4 * columns, let first = points.first, let last = points.last, last.x > first.x else {
            return points
        }
        var buckets = [[(x: Double, y: Double)]](repeating: [], count: columns + 1)
        for point in points {
            buckets[Int((point.x - first.x) / (last.x - first.x) * Double(columns))].append(point)
        }
        return buckets.flatMap { bucket -> [(x: Double, y: Double)] in
            guard let low = bucket.min(by: { $0.y < $1.y }), let high = bucket.max(by: { $0.y < $1.y }) else { return [] }
            let inside = low.x <= high.x ? [low, high] : [high, low]
            return [bucket[0]] + inside + [bucket[bucket.count - 1]]
        }
    }

    /// FNV-1a, so the same chart gets the same element id in every run of the program
    /// (`hashValue` is seeded per process).
    private static func stableHash(_ parts: [String]) -> UInt64 {
        parts.joined(separator: "\u{1F}").utf8.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
