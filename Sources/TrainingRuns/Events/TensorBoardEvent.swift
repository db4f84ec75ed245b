import Foundation

/// One TensorBoard `Event` message (tensorflow/core/util/event.proto), reduced to what
/// scalar logging needs: the wall time, the step, and either the file-version marker that
/// opens every event file or a `Summary` of scalar values (`Summary.Value.simple_value`).
///
/// Encoded by hand against the protobuf wire format (see `ProtobufWriter`) rather than with
/// generated swift-protobuf code: three small messages and five fields do not justify a
/// dependency whose code generator takes minutes to build, and the encoding is checked byte
/// for byte against TensorBoard's own serialiser in the tests.
public struct TensorBoardEvent: Equatable, Sendable {
    /// A scalar summary value: `tag` as TensorBoard shows it (`jsd/4`), a float value.
    public struct Scalar: Equatable, Sendable {
        public var tag: String
        public var value: Float
        public init(tag: String, value: Float) {
            self.tag = tag
            self.value = value
        }
    }

    public enum Content: Equatable, Sendable {
        /// `file_version`, "brain.Event:2" for the format written here.
        case fileVersion(String)
        case scalars([Scalar])
        /// Anything else (graphs, images, tensors, session logs): skipped when reading.
        case other
    }

    /// Seconds since 1970.
    public var wallTime: Double
    public var step: Int64
    public var content: Content

    public init(wallTime: Double, step: Int64, content: Content) {
        self.wallTime = wallTime
        self.step = step
        self.content = content
    }

    /// The version string of the event format this writer produces.
    public static let fileVersion = "brain.Event:2"

    // Field numbers, from event.proto and summary.proto.
    private enum Field {
        static let wallTime = 1, step = 2, fileVersion = 3, summary = 5
        static let summaryValue = 1
        static let valueTag = 1, valueSimple = 2
    }

    /// The serialised message. proto3 leaves zero scalars out (implicit presence); the
    /// members of a `oneof` are always written.
    public func encoded() -> [UInt8] {
        var message = ProtobufWriter()
        if wallTime != 0 { message.double(Field.wallTime, wallTime) }
        if step != 0 { message.int64(Field.step, step) }
        switch content {
        case .fileVersion(let version): message.string(Field.fileVersion, version)
        case .scalars(let scalars):
            var summary = ProtobufWriter()
            for scalar in scalars {
                var value = ProtobufWriter()
                value.string(Field.valueTag, scalar.tag)
                value.float(Field.valueSimple, scalar.value)
                summary.lengthDelimited(Field.summaryValue, value.bytes)
            }
            message.lengthDelimited(Field.summary, summary.bytes)
        case .other: break
        }
        return message.bytes
    }

    /// Parses a serialised `Event`; summary values other than `simple_value` are dropped.
    /// - throws: `ProtobufReader.Malformed` for bytes that are not a valid message.
    public init(decoding bytes: ArraySlice<UInt8>) throws {
        wallTime = 0
        step = 0
        content = .other
        var reader = ProtobufReader(bytes)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (Field.wallTime, .fixed64(let bits)): wallTime = Double(bitPattern: bits)
            case (Field.step, .varint(let raw)): step = Int64(bitPattern: raw)
            case (Field.fileVersion, .lengthDelimited(let text)): content = .fileVersion(String(decoding: text, as: UTF8.self))
            case (Field.summary, .lengthDelimited(let summary)): content = .scalars(try Self.scalars(in: summary))
            default: continue
            }
        }
    }

    private static func scalars(in summary: ArraySlice<UInt8>) throws -> [Scalar] {
        var result: [Scalar] = []
        var reader = ProtobufReader(summary)
        while let (field, value) = try reader.next() {
            guard field == Field.summaryValue, case .lengthDelimited(let valueBytes) = value else { continue }
            var tag: String?, number: Float?
            var valueReader = ProtobufReader(valueBytes)
            while let (valueField, content) = try valueReader.next() {
                switch (valueField, content) {
                case (Field.valueTag, .lengthDelimited(let text)): tag = String(decoding: text, as: UTF8.self)
                case (Field.valueSimple, .fixed32(let bits)): number = Float(bitPattern: bits)
                default: continue
                }
            }
            if let tag, let number { result.append(Scalar(tag: tag, value: number)) }
        }
        return result
    }
}

extension ProtobufReader.Malformed: CustomStringConvertible {
    var description: String { "malformed protobuf: \(what)" }
}
