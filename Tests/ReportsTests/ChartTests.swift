import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Reports

final class ChartTests: XCTestCase {
    func testLinearAxisHasNiceTicksCoveringTheData() {
        let axis = Axis(covering: [0.31, 0.87], scale: .linear)
        // A span of 0.56 over four intervals: 0.14, rounded up to the nice step 0.2.
        XCTAssertEqual(axis.lower, 0.2, accuracy: 1e-12)
        XCTAssertEqual(axis.upper, 1.0, accuracy: 1e-12)
        XCTAssertEqual(axis.ticks.map(axis.label), ["0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(Axis(covering: [0, 5000], scale: .linear, targetTicks: 6).ticks.last, 5000)
        let negative = Axis(covering: [-2.5, 1], scale: .linear)
        XCTAssertEqual(negative.label(negative.ticks[0]), "−3")
    }

    func testDegenerateRangesStillGetAnAxis() {
        let flat = Axis(covering: [4, 4], scale: .linear)
        XCTAssertLessThan(flat.lower, 4)
        XCTAssertGreaterThan(flat.upper, 4)
        let empty = Axis(covering: [.nan], scale: .linear)
        XCTAssertLessThan(empty.lower, empty.upper)
    }

    func testLogAxisUsesDecades() {
        let axis = Axis(covering: [0.004, 0.7, -1], scale: .log10)
        XCTAssertEqual(axis.ticks.map(axis.label), ["0.001", "0.01", "0.1", "1"])
        XCTAssertEqual(axis.fraction(0.01), 1.0 / 3, accuracy: 1e-12)
    }

    func testNumberText() {
        XCTAssertEqual(NumberText.compact(0.0003), "3e-4")
        XCTAssertEqual(NumberText.compact(0.0001), "1e-4")
        XCTAssertEqual(NumberText.compact(0.01), "0.01")
        XCTAssertEqual(NumberText.compact(10), "10")
        XCTAssertEqual(NumberText.fixed(0.63245, significant: 3), "0.632")
    }

    func testChartIsWellFormedSVGWithTitleLegendAndLabels() throws {
        let long = (0..<20_000).map { (x: Double($0), y: sin(Double($0) / 100)) }
        let chart = LineChart(title: "JSD 4-gram <n>", xLabel: "training time (minutes)", yLabel: "JSD (bits)",
                              series: [ChartSeries(label: "TTUR 3e-4, 1e-4", color: "#1f77b4", points: long),
                                       ChartSeries(label: "orig 1e-4", color: "#d62728", points: [(0, 0.5), (1, .nan)], dots: true)])
        let svg = chart.svg()
        let document = try XMLDocument(xmlString: svg, options: [])
        XCTAssertEqual(document.rootElement()?.name, "svg")
        for text in ["JSD 4-gram &lt;n&gt;", "training time (minutes)", "JSD (bits)", "TTUR 3e-4, 1e-4", "orig 1e-4"] {
            XCTAssertTrue(svg.contains(text), "missing \(text)")
        }
        XCTAssertLessThan(svg.utf8.count, 120_000, "a long series is thinned to its envelope")
        XCTAssertFalse(svg.contains("nan"))
    }
}
