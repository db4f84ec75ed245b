import XCTest
@testable import Reports
import Toy

/// The toy page states what the authors' own notebook shows for the fourth setting.
final class ToyNotebookTests: XCTestCase {
    func testToyPageCitesTheAuthorsNotebookForTheFourthRow() {
        var options = ToyExperiment.Options()
        (options.steps, options.seeds, options.ensembleSeeds) = (200, 2, 2)
        let html = ToyReport.html(options)
        XCTAssertTrue(html.contains("Toy_Data_Example/ttur_example_saddle.ipynb"))
        XCTAssertTrue(html.contains("lr_x 0.01, lr_y 0.0001"))
        XCTAssertTrue(html.contains("between about 0.15 and 0.45"))
        XCTAssertTrue(html.contains("final norm is 0.14"))
        XCTAssertTrue(html.contains("contradicted by its own"))
    }
}
