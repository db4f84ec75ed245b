@testable import FID
import Foundation
import XCTest
import _TestSupport

/// Pillow's bicubic resize of 8-bit RGB, bit for bit, on `Tests/Fixtures/vit/pil_resize.npz`
/// (`scripts/pil_resize_reference.py`): two upscalings to 224 (DINOv2's input from small GAN
/// images) and one downscaling (Pillow's widened, antialiasing window).
final class PILResizeTests: XCTestCase {
    func testEqualsPillowExactly() throws {
        let arrays = try NumpyArchive.read(SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/vit/pil_resize.npz"))
        for name in ["up32", "up64x48", "down300x260"] {
            let input = try XCTUnwrap(arrays[name]), target = try XCTUnwrap(arrays[name + "_224"])
            let (height, width) = (input.shape[0], input.shape[1])
            let ours = PILResize.resize([UInt8](input.data), width: width, height: height, toWidth: 224, toHeight: 224)
            let theirs = [UInt8](target.data)
            XCTAssertEqual(ours.count, theirs.count, name)
            let differing = zip(ours, theirs).filter { $0 != $1 }.count
            XCTAssertEqual(differing, 0, "\(name): \(differing) of \(theirs.count) values differ")
        }
    }
}
