@testable import FID
import Foundation
import XCTest

final class WeightsFileNameTests: XCTestCase {
    func testHashPrefixInTorchHubFileNames() {
        XCTAssertEqual(FIDInceptionV3.hashPrefix(inFileName: "pt_inception-2015-12-05-6726825d.pth"), "6726825d")
        XCTAssertNil(FIDInceptionV3.hashPrefix(inFileName: "inception_random.pth"))
        XCTAssertNil(FIDInceptionV3.hashPrefix(inFileName: "weights-final.pth"))
    }
}
