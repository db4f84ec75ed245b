import Foundation
import Tensors
import XCTest
import _TestSupport

final class SafeTensorsTests: XCTestCase {
    private func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ttur-safetensors-\(UUID().uuidString)-\(name)")
    }

    func testRoundTripKeepsEveryDTypeShapeAndMetadata() throws {
        var file = SafeTensorsFile(metadata: ["step": "10", "note": "ünïcode"])
        file.tensors["f32"] = SafeTensorsEntry(floats: [1.5, -2, 3.25, 0], shape: [2, 2])
        file.tensors["f64"] = SafeTensorsEntry(doubles: [Double.pi, -1e-300], shape: [2])
        file.tensors["scalar"] = SafeTensorsEntry(floats: [7], shape: [])
        file.tensors["empty"] = SafeTensorsEntry(floats: [], shape: [0, 3])
        for dtype in [SafeTensorsDType.float16, .bfloat16, .int64, .int32, .uint8] {
            file.tensors[dtype.rawValue] = SafeTensorsEntry(dtype: dtype, shape: [3],
                                                            data: Data((0 ..< 3 * dtype.byteCount).map { UInt8($0) }))
        }
        let url = temporaryURL("round.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try file.write(to: url)
        let back = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(back, file)
        XCTAssertEqual(back.tensors["f64"]!.doubles(), [Double.pi, -1e-300])
        XCTAssertEqual(back.tensors["f32"]!.floats(), [1.5, -2, 3.25, 0])
        XCTAssertEqual(try back.tensors["I64"]!.integers(), [0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908, 0x1716_1514_1312_1110])
        // Atomic write: nothing but the file itself is left in the directory.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        XCTAssertFalse(siblings.contains { $0.contains(url.lastPathComponent + ".tmp") })
    }

    /// `write(checksummed: true)` records the data section's SHA-256 (what `sha256sum` of the
    /// bytes after the header gives); any changed data byte is refused in one line; files
    /// without the key (other tools', round 1–2 checkpoints) load as they are.
    func testChecksummedFilesRefuseDamagedData() throws {
        var file = SafeTensorsFile(metadata: ["step": "3"])
        file.tensors["a"] = SafeTensorsEntry(floats: (0 ..< 64).map { Float($0) }, shape: [8, 8])
        file.tensors["b"] = SafeTensorsEntry(doubles: [1, 2, 3], shape: [3])
        let url = temporaryURL("checked.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try file.write(to: url, checksummed: true)
        let bytes = try Data(contentsOf: url)
        let headerLength = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        let back = try SafeTensorsFile(contentsOf: url)
        XCTAssertTrue(back.isChecksummed)
        XCTAssertEqual(back.metadata[SafeTensorsFile.checksumKey], SHA256.hex(SHA256.hash(data: bytes[(8 + headerLength)...])))
        XCTAssertEqual(back.tensors, file.tensors)

        for offset in [8 + headerLength, 8 + headerLength + 100, bytes.count - 1] {
            var damaged = bytes
            damaged[offset] ^= 0x20
            try damaged.write(to: url)
            XCTAssertThrowsError(try SafeTensorsFile(contentsOf: url)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(url.path): corrupt: the tensor data's SHA-256"), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        try file.write(to: url)
        XCTAssertFalse(try SafeTensorsFile(contentsOf: url).isChecksummed)
    }

    func testHalfAndBFloat16DecodeExactly() {
        // 1.0, -2.0, 65504 (largest half), 2⁻²⁴ (smallest subnormal), -0.
        let halves: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000]
        let half = SafeTensorsEntry(dtype: .float16, shape: [5], data: halves.withUnsafeBufferPointer { Data(buffer: $0) })
        XCTAssertEqual(half.floats(), [1, -2, 65504, Float(sign: .plus, exponent: -24, significand: 1), -0.0])
        let bf: [UInt16] = [0x3F80, 0xC040]
        let bfloat = SafeTensorsEntry(dtype: .bfloat16, shape: [2], data: bf.withUnsafeBufferPointer { Data(buffer: $0) })
        XCTAssertEqual(bfloat.floats(), [1, -3])
    }

    func testReadsTheLanguageStepFixture() throws {
        let url = try SharedData.require("fixtures/wgan_language_step.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.metadata["dim"], "16")
        XCTAssertEqual(file.metadata["vocab"], "12")
        XCTAssertEqual(file.tensors.count, 151)
        let fake = try XCTUnwrap(file.tensors["critic/fake"])
        XCTAssertEqual(fake.shape, [4, 8, 12])
        XCTAssertEqual(file.tensors["critic/d_fake"]!.floats().first, -0.33823516964912415)
        XCTAssertEqual(file.tensors["critic_after_step/Discriminator.1.1.weight"]!.shape, [16, 16, 5])
    }

    func testReadsTheFIDFeaturesFixture() throws {
        let file = try SafeTensorsFile(contentsOf: try SharedData.require("fixtures/fid/features.safetensors"))
        XCTAssertEqual(file.metadata["computed_in"], "float64")
        for (block, width) in [(0, 64), (1, 192), (2, 768), (3, 2048)] {
            XCTAssertEqual(file.tensors["block\(block)"]?.shape, [6, width])
        }
        XCTAssertEqual(file.tensors["block0"]!.floats()[0], 0.9411613345146179)
    }

    func testEveryTruncationIsAClearError() throws {
        let bytes = try Data(contentsOf: try SharedData.require("fixtures/fid/features.safetensors"))
        for length in [0, 4, 8, 100, 455, 456, 1000, bytes.count - 1] {
            XCTAssertThrowsError(try SafeTensorsFile(data: bytes.prefix(length), name: "cut")) { error in
                XCTAssertTrue("\(error)".hasPrefix("cut: "), "\(error)")
            }
        }
    }

    func testCorruptHeadersAreClearErrors() throws {
        func file(_ header: String, payload: Int = 16) -> Data {
            var data = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: Array(header.utf8))
            data.append(Data(count: payload))
            return data
        }
        let cases = [
            "not json",
            "[1, 2]",
            #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]}}"#,        // size mismatch
            #"{"a": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}}"#,        // beyond buffer
            #"{"a": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 4]}}"#,          // unknown dtype
            #"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#,        // negative extent
            #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#,
            #"{"__metadata__": {"k": 3}}"#,
        ]
        for header in cases {
            XCTAssertThrowsError(try SafeTensorsFile(data: file(header)), header)
        }
        var huge = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { huge.append(contentsOf: $0) }
        XCTAssertThrowsError(try SafeTensorsFile(data: huge))
    }
}
