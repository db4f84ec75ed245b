import Foundation
import XCTest
import _TestSupport
@testable import TrainingRuns

final class EventFileTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "ttur-events") }

    /// RFC 3720 B.4's check value, and TensorFlow's mask of it.
    func testCRC32CMatchesTheCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        let crc: UInt32 = 0xE306_9283
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    private func writeSampleFile() throws -> (URL, [TensorBoardEvent]) {
        let writer = try EventFileWriter(directory: directory, now: Date(timeIntervalSince1970: 1_700_000_000.25))
        try writer.add(["jsd/4": 0.5, "critic_loss": -1.25], step: 100, wallTime: Date(timeIntervalSince1970: 1_700_000_001.5))
        try writer.add(["jsd/4": 0.375, "critic_loss": 3.0e-7], step: 3_000_000_000,
                       wallTime: Date(timeIntervalSince1970: 1_700_000_002.75))
        try writer.add(logLine: Data(#"{"iteration": 0, "seconds": 0, "jsd": {"1": 0.125, "6": 0.9}, "fid": 12.5}"#.utf8),
                       wallTime: Date(timeIntervalSince1970: 1_700_000_003))
        let expected = [
            TensorBoardEvent(wallTime: 1_700_000_000.25, step: 0, content: .fileVersion("brain.Event:2")),
            TensorBoardEvent(wallTime: 1_700_000_001.5, step: 100,
                             content: .scalars([.init(tag: "critic_loss", value: -1.25), .init(tag: "jsd/4", value: 0.5)])),
            TensorBoardEvent(wallTime: 1_700_000_002.75, step: 3_000_000_000,
                             content: .scalars([.init(tag: "critic_loss", value: 3.0e-7), .init(tag: "jsd/4", value: 0.375)])),
            TensorBoardEvent(wallTime: 1_700_000_003, step: 0,
                             content: .scalars([.init(tag: "fid", value: 12.5), .init(tag: "jsd/1", value: 0.125),
                                                .init(tag: "jsd/6", value: 0.9), .init(tag: "seconds", value: 0)])),
        ]
        return (writer.url, expected)
    }

    func testWrittenEventsReadBackThroughTheSpecReader() throws {
        let (url, expected) = try writeSampleFile()
        XCTAssertTrue(url.lastPathComponent.hasPrefix("events.out.tfevents.1700000000."), url.lastPathComponent)
        XCTAssertEqual(try EventFile.read(url), expected)
        XCTAssertEqual(EventFile.files(in: directory), [url])
        // A second writer in the same second gets its own file.
        let second = try EventFileWriter(directory: directory, now: Date(timeIntervalSince1970: 1_700_000_000.9))
        XCTAssertNotEqual(second.url, url)
    }

    func testCorruptAndTruncatedRecordsAreReportedWithTheirOffset() throws {
        let (url, _) = try writeSampleFile()
        var bytes = [UInt8](try Data(contentsOf: url))
        let firstRecordLength = 12 + Int(bytes[0]) + 4
        bytes[firstRecordLength + 14] ^= 0x40  // inside the second record's data
        try Data(bytes).write(to: url)
        XCTAssertThrowsError(try EventFile.read(url)) { error in
            XCTAssertTrue("\(error)".contains("data checksum mismatch in the record at byte \(firstRecordLength)"), "\(error)")
        }
        try Data(bytes.prefix(firstRecordLength + 20)).write(to: url)
        XCTAssertThrowsError(try EventFile.read(url)) { error in XCTAssertTrue("\(error)".contains("truncated"), "\(error)") }
    }

    func testBadLogLinesAreErrors() throws {
        let writer = try EventFileWriter(directory: directory)
        XCTAssertThrowsError(try writer.add(logLine: Data("[1, 2]".utf8)))
        XCTAssertThrowsError(try writer.add(logLine: Data(#"{"seconds": 1}"#.utf8))) { error in
            XCTAssertTrue("\(error)".contains("iteration"), "\(error)")
        }
    }

    /// Reference: TensorBoard's own record reader (both CRCs checked) and `EventAccumulator`
    /// (what `tensorboard --logdir` serves), from the PyPI package. Floats compare exactly:
    /// both sides hold the same float32.
    func testTensorBoardReadsOurEventFile() throws {
        try TensorBoardPython.require()
        let (url, expected) = try writeSampleFile()
        let records = try XCTUnwrap(TensorBoardPython.run(["records", url.path]) as? [[String: Any]])
        XCTAssertEqual(records.count, expected.count)
        for (record, event) in zip(records, expected) {
            XCTAssertEqual(record["wall_time"] as? Double, event.wallTime)
            XCTAssertEqual((record["step"] as? NSNumber)?.int64Value, event.step)
            switch event.content {
            case .fileVersion(let version): XCTAssertEqual(record["file_version"] as? String, version)
            case .scalars(let scalars):
                let values = try XCTUnwrap(record["scalars"] as? [[Any]])
                XCTAssertEqual(values.map { $0[0] as? String }, scalars.map(\.tag))
                XCTAssertEqual(values.map { ($0[1] as? NSNumber).map { Float($0.doubleValue) } }, scalars.map(\.value))
            case .other: XCTFail("unexpected event")
            }
        }
        let shown = try XCTUnwrap(TensorBoardPython.run(["scalars", directory.path]) as? [String: [[Double]]])
        XCTAssertEqual(Set(shown.keys), ["critic_loss", "jsd/4", "jsd/1", "jsd/6", "fid", "seconds"])
        XCTAssertEqual(shown["jsd/4"]?.map { $0[0] }, [100, 3_000_000_000])
        XCTAssertEqual(shown["jsd/4"]?.map { $0[2] }, [0.5, 0.375])
    }

    /// Reference: the same events serialised by TensorBoard's protobuf classes and framed by
    /// its `RecordWriter` are byte-for-byte our file, and our reader reads its file.
    func testOurBytesEqualTensorBoardsWriter() throws {
        try TensorBoardPython.require()
        let (url, expected) = try writeSampleFile()
        let spec: [[String: Any]] = expected.map { event in
            var item: [String: Any] = ["wall_time": event.wallTime, "step": event.step]
            switch event.content {
            case .fileVersion(let version): item["file_version"] = version
            case .scalars(let scalars):
                item["scalars"] = Dictionary(uniqueKeysWithValues: scalars.map { ($0.tag, Double($0.value)) })
            case .other: break
            }
            return item
        }
        let specURL = directory.appendingPathComponent("spec.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specURL)
        let theirs = directory.appendingPathComponent("tensorboard-written.tfevents")
        _ = try TensorBoardPython.run(["write", theirs.path, specURL.path])
        XCTAssertEqual(try Data(contentsOf: theirs), try Data(contentsOf: url))
        XCTAssertEqual(try EventFile.read(theirs), expected)
    }
}
