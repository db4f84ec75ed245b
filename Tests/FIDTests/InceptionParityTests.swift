@testable import FID
import Foundation
import Tensors
import XCTest
import _TestSupport

/// Parity with pytorch-fid's FID Inception-v3 (fid_torch.py fixture, computed in float64).
final class InceptionParityTests: XCTestCase {
    nonisolated(unsafe) static var cachedNetwork: FIDInceptionV3?

    static func network() throws -> FIDInceptionV3 {
        if let cachedNetwork { return cachedNetwork }
        let checkpoint = try TorchCheckpoint(contentsOf: try SharedData.require("fixtures/fid/inception_random.pth"))
        let network = try FIDInceptionV3(tensors: checkpoint.tensors)
        cachedNetwork = network
        return network
    }

    static func images() throws -> NumpyArray {
        try NumpyArray(contentsOf: try SharedData.require("fixtures/fid/images.npy"))
    }

    /// max |ours − reference| / max |reference|.
    static func relativeError(_ ours: [Float], _ reference: [Float]) -> Double {
        let scale = reference.reduce(0) { max($0, abs(Double($1))) }
        let error = zip(ours, reference).reduce(0) { max($0, abs(Double($1.0) - Double($1.1))) }
        return error / max(scale, .leastNormalMagnitude)
    }

    func testAllFourBlocksMatchPytorchFIDToOneTenThousandth() throws {
        let t0 = Date()
        let network = try Self.network()
        print("TIMING load", Date().timeIntervalSince(t0))
        let images = try Self.images()
        let expected = try SafeTensorsFile(contentsOf: try SharedData.require("fixtures/fid/features.safetensors"))
        let outputs = images.data.withUnsafeBytes { raw in
            network.features(raw.bindMemory(to: UInt8.self), count: 6, height: 64, width: 64, blocks: [0, 1, 2, 3])
        }
        print("TIMING forward", Date().timeIntervalSince(t0))
        for block in 0..<4 {
            let reference = try XCTUnwrap(expected.tensors["block\(block)"]).floats()
            let ours = try XCTUnwrap(outputs[block])
            XCTAssertEqual(ours.count, reference.count)
            let error = Self.relativeError(ours, reference)
            print("block \(block): relative error \(error) against pytorch-fid (float64)")
            XCTAssertLessThanOrEqual(error, 1e-4, "block \(block): relative error \(error)")
        }
    }
}
