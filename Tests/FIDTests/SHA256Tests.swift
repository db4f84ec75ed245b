@testable import FID
import Foundation
import XCTest

final class SHA256Tests: XCTestCase {
    func testKnownDigests() {
        // FIPS 180-4 examples and Python's hashlib for a multi-block input.
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Data((0..<1000).map { UInt8($0 % 251) })),
                       "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d")
    }

    func testHashPrefixInTorchHubFileNames() {
        XCTAssertEqual(FIDInceptionV3.hashPrefix(inFileName: "pt_inception-2015-12-05-6726825d.pth"), "6726825d")
        XCTAssertNil(FIDInceptionV3.hashPrefix(inFileName: "inception_random.pth"))
        XCTAssertNil(FIDInceptionV3.hashPrefix(inFileName: "weights-final.pth"))
    }
}
