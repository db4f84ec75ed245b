import XCTest
@testable import Tensors

final class ShapeTests: XCTestCase {
    func testCountAndStridesAreRowMajor() {
        let shape: Shape = [2, 3, 4]
        XCTAssertEqual(shape.count, 24)
        XCTAssertEqual(shape.strides, [12, 4, 1])
        XCTAssertEqual(Shape([]).count, 1)
    }
}
