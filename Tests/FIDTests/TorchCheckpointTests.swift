@testable import FID
import Foundation
import Tensors
import XCTest
import _TestSupport

final class TorchCheckpointTests: XCTestCase {
    /// loader_expected.json: name → (dtype, shape, values) as torch reports them.
    private func expected() throws -> [String: (dtype: String, shape: [Int], values: [Double])] {
        let data = try Data(contentsOf: try SharedData.require("fixtures/fid/loader_expected.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        return json.mapValues { ($0["dtype"] as! String, $0["shape"] as! [Int], ($0["values"] as! [NSNumber]).map(\.doubleValue)) }
    }

    private func assertMatchesExpected(_ file: String) throws {
        let checkpoint = try TorchCheckpoint(contentsOf: try SharedData.require("fixtures/fid/\(file)"))
        let reference = try expected()
        XCTAssertEqual(Set(checkpoint.names), Set(reference.keys), file)
        let dtypes = ["float32": SafeTensorsDType.float32, "float16": .float16, "int64": .int64]
        for (name, want) in reference {
            let entry = try XCTUnwrap(checkpoint.tensors[name], name)
            XCTAssertEqual(entry.dtype, dtypes[want.dtype], name)
            XCTAssertEqual(entry.shape, want.shape, name)
            // Exact: every stored value is a float32/float16/int64; JSON carries its shortest
            // decimal form, which rounds back to the same float.
            if entry.dtype == .int64 {
                XCTAssertEqual(try entry.integers(), want.values.map { Int64($0) }, "\(file): \(name)")
            } else {
                XCTAssertEqual(entry.floats(), want.values.map { Float($0) }, "\(file): \(name)")
            }
        }
    }

    func testZipContainerLoadsExactlyTheExpectedValues() throws {
        try assertMatchesExpected("loader_zip.pth")
    }

    func testLegacyContainerLoadsExactlyTheExpectedValues() throws {
        try assertMatchesExpected("loader_legacy.pth")
    }

    func testRandomInceptionCheckpointLoadsCompletely() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: try SharedData.require("fixtures/fid/inception_random.pth"))
        // 566 storages in the archive, one tensor each, every one materialised.
        XCTAssertEqual(checkpoint.names.count, 566)
        XCTAssertEqual(checkpoint.tensors.count, 566)
        XCTAssertEqual(checkpoint.tensors["Conv2d_1a_3x3.conv.weight"]?.shape, [32, 3, 3, 3])
        XCTAssertEqual(checkpoint.tensors["Mixed_7c.branch_pool.conv.weight"]?.shape, [192, 2048, 1, 1])
        XCTAssertEqual(checkpoint.tensors["fc.weight"]?.shape, [1008, 2048])
        XCTAssertEqual(checkpoint.tensors["Conv2d_1a_3x3.bn.num_batches_tracked"]?.dtype, .int64)
        let total = checkpoint.tensors.values.reduce(0) { $0 + $1.count }
        XCTAssertGreaterThan(total, 23_000_000)
        XCTAssertTrue(checkpoint.tensors["Mixed_6e.branch7x7dbl_5.conv.weight"]!.floats().allSatisfy(\.isFinite))
    }

    func testEveryTruncationOfEitherContainerIsAnErrorNotACrash() throws {
        for file in ["loader_legacy.pth", "loader_zip.pth"] {
            let bytes = try Data(contentsOf: try SharedData.require("fixtures/fid/\(file)"))
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-trunc-\(UUID().uuidString).pth")
            defer { try? FileManager.default.removeItem(at: url) }
            for length in stride(from: 0, to: bytes.count, by: file == "loader_zip.pth" ? 31 : 1) {
                try bytes.prefix(length).write(to: url)
                XCTAssertThrowsError(try TorchCheckpoint(contentsOf: url), "\(file) cut at \(length)") { error in
                    XCTAssertTrue("\(error)".contains(url.path), "\(error)")
                }
            }
        }
    }

    func testCorruptedBytesNeverCrash() throws {
        let bytes = Array(try Data(contentsOf: try SharedData.require("fixtures/fid/loader_legacy.pth")))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-corrupt-\(UUID().uuidString).pth")
        defer { try? FileManager.default.removeItem(at: url) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var copy = bytes
            for _ in 0..<3 { copy[Int.random(in: 0..<copy.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            try Data(copy).write(to: url)
            _ = try? TorchCheckpoint(contentsOf: url)   // an error or (rarely) a still-valid file, never a trap
        }
    }

    func testUnsupportedObjectsAreNamedInTheError() throws {
        // A pickled torch.nn.Module (protocol 2): GLOBAL 'torch.nn.modules.linear Linear', EMPTY_TUPLE, REDUCE, STOP.
        var pickle: [UInt8] = [0x80, 0x02, 0x63] + Array("torch.nn.modules.linear\nLinear\n".utf8) + [0x29, 0x52, 0x2E]
        let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A] + TorchCheckpoint.legacyMagic + [0x2E]
        let version: [UInt8] = [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E]
        let info: [UInt8] = [0x80, 0x02, 0x7D, 0x2E]
        pickle = magic + version + info + pickle
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-module-\(UUID().uuidString).pth")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(pickle).write(to: url)
        XCTAssertThrowsError(try TorchCheckpoint(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("torch.nn.modules.linear.Linear"), "\(error)")
        }
        try Data("hello".utf8).write(to: url)
        XCTAssertThrowsError(try TorchCheckpoint(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("not a torch.save file"), "\(error)")
        }
    }

    func testStridedViewsAreMaterialisedRowMajor() throws {
        let storage = TorchStorage(key: "0", dtype: .float32, count: 6)
        storage.bytes = SafeTensorsEntry(floats: [0, 1, 2, 3, 4, 5], shape: [6]).data
        // The transpose of a [2, 3] tensor: size (3, 2), stride (1, 3).
        let view = TorchTensorReference(storage: storage, offset: 0, shape: [3, 2], strides: [1, 3])
        XCTAssertEqual(try view.materialise().floats(), [0, 3, 1, 4, 2, 5])
        let outOfRange = TorchTensorReference(storage: storage, offset: 2, shape: [3, 2], strides: [1, 3])
        XCTAssertThrowsError(try outOfRange.materialise())
    }
}

/// A pickle can put a list inside itself through the memo: a reference cycle that the
/// reader must break once the value is used (LeakSanitizer found the leak under libFuzzer).
final class PickleCycleTests: XCTestCase {
    func testSelfContainingListIsFreedAfterRelease() throws {
        weak var weakList: PickleList?
        try {
            // PROTO 2, EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP: l = []; l.append(l)
            var reader = PickleReader(bytes: [0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E],
                                      hooks: PickleHooks(persistentLoad: { _ in .none }, call: { _, _, _ in .none }))
            guard case let .list(list) = try reader.load() else { return XCTFail("not a list") }
            guard case let .list(inner) = list.items.first else { return XCTFail("not self-containing") }
            XCTAssertTrue(inner === list)
            weakList = list
            reader.releaseContainers()
        }()
        XCTAssertNil(weakList, "the cycle is broken and the list freed")
    }
}
