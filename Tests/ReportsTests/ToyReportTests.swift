import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Reports
import Toy

/// The toy's page: how each outcome compares with the paper, and the page itself.
final class ToyReportTests: XCTestCase {
    /// Compared with the paper (the ensemble as in `SaddlePointTests.testEnsembleTrends`):
    /// three settings agree, the fourth does not.
    func testAgreementWithThePaper() {
        var options = ToyExperiment.Options()
        options.seeds = 1
        options.ensembleSeeds = 60
        let results = ToyExperiment.run(options)
        XCTAssertEqual(results.map { ToyReport.agreement($0).agrees }, [true, true, true, false])
        XCTAssertTrue(ToyReport.agreement(results[0]).text.contains("diverges in distribution"))
        XCTAssertTrue(ToyReport.agreement(results[3]).text.contains("drifts away"))
    }

    func testToyPageStatesEveryOutcomeAndParses() throws {
        var small = ToyExperiment.Options()
        small.steps = 400
        small.seeds = 3
        small.ensembleSeeds = 5
        let html = ToyReport.html(small)
        _ = try XMLDocument(xmlString: html, options: [])
        for setting in SaddlePoint.paperSettings { XCTAssertTrue(html.contains(HTMLPage.escape(setting.name) + ":")) }
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 1 + 3 * 4)
        XCTAssertTrue(html.contains("Over 3 seeds"))
    }
}
