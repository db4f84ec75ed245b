import Foundation
import Tensors
import ZIPFoundation

// `torch.save` writes one of two containers (torch/serialization.py):
//  • zip (torch ≥ 1.6): ARCHIVE/data.pkl holds the pickled object, whose tensors refer by
//    persistent id ('storage', StorageType, key, location, numel) to ARCHIVE/data/<key>;
//  • legacy: five consecutive pickles (magic number, protocol 1001, system info, the
//    object, the sorted storage keys), then per key an int64 element count and the raw data.
// Tensors are rebuilt by torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …).

/// A tensor's backing storage: typed, filled in after the pickle is read.
final class TorchStorage {
    let key: String
    let dtype: SafeTensorsDType
    let count: Int
    var bytes: Data?
    /// Legacy storage views: (root storage, element offset into it).
    var view: (TorchStorage, Int)?

    init(key: String, dtype: SafeTensorsDType, count: Int) {
        self.key = key
        self.dtype = dtype
        self.count = count
    }

    /// The bytes this storage covers, resolving legacy views.
    func contents() throws -> Data {
        if let (root, offset) = view {
            let all = try root.contents()
            let width = dtype.byteCount
            guard (offset + count) * width <= all.count else {
                throw LocatedError("storage view \(key) [\(offset), +\(count)) exceeds storage \(root.key)")
            }
            return all.subdata(in: all.startIndex + offset * width ..< all.startIndex + (offset + count) * width)
        }
        guard let bytes else { throw LocatedError("storage \(key) has no data in the file") }
        return bytes
    }
}

/// A tensor as pickled: a strided view of a storage.
final class TorchTensorReference {
    let storage: TorchStorage
    let offset: Int
    let shape: [Int]
    let strides: [Int]

    init(storage: TorchStorage, offset: Int, shape: [Int], strides: [Int]) {
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.strides = strides
    }

    /// The elements in row-major order, copied out of the (possibly strided) storage.
    func materialise() throws -> SafeTensorsEntry {
        let width = storage.dtype.byteCount
        guard shape.count == strides.count, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }), offset >= 0 else {
            throw LocatedError("tensor view of storage \(storage.key): bad size \(shape) / stride \(strides) / offset \(offset)")
        }
        // Sizes and strides come from the pickle: any product or sum that overflows is an
        // error, never a wrapped index (this module is built -Ounchecked).
        func checked(_ value: (Int, Bool)) throws -> Int {
            guard !value.1 else {
                throw LocatedError("tensor view of storage \(storage.key): size \(shape) / stride \(strides) overflows")
            }
            return value.0
        }
        var count = 1
        for extent in shape { count = try checked(count.multipliedReportingOverflow(by: extent)) }
        _ = try checked(count.multipliedReportingOverflow(by: width))
        if count == 0 { return SafeTensorsEntry(dtype: storage.dtype, shape: shape, data: Data()) }
        var last = offset
        for (extent, step) in zip(shape, strides) {
            last = try checked(last.addingReportingOverflow(try checked((extent - 1).multipliedReportingOverflow(by: step))))
        }
        guard last < storage.count else {
            throw LocatedError("tensor view of storage \(storage.key) reaches element \(last) of \(storage.count)")
        }
        let source = try storage.contents()
        var contiguous = true
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { contiguous = false }
            expected *= shape[axis]
        }
        if contiguous {
            let start = source.startIndex + offset * width
            return SafeTensorsEntry(dtype: storage.dtype, shape: shape, data: source.subdata(in: start ..< start + count * width))
        }
        var out = Data(count: count * width)
        source.withUnsafeBytes { (from: UnsafeRawBufferPointer) in
            out.withUnsafeMutableBytes { (to: UnsafeMutableRawBufferPointer) in
                var index = [Int](repeating: 0, count: shape.count)
                var element = offset
                for position in 0..<count {
                    to.baseAddress!.advanced(by: position * width)
                        .copyMemory(from: from.baseAddress!.advanced(by: element * width), byteCount: width)
                    // Odometer increment over the shape, tracking the strided source element.
                    var axis = shape.count - 1
                    while axis >= 0 {
                        index[axis] += 1
                        element += strides[axis]
                        if index[axis] < shape[axis] { break }
                        element -= strides[axis] * shape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return SafeTensorsEntry(dtype: storage.dtype, shape: shape, data: out)
    }
}

/// The tensors of a PyTorch checkpoint (a state dict saved with `torch.save`).
///
/// ```swift
/// let checkpoint = try TorchCheckpoint(contentsOf: URL(fileURLWithPath: "pt_inception-2015-12-05-6726825d.pth"))
/// let weight = checkpoint.tensors["Conv2d_1a_3x3.conv.weight"]!.floats()   // [32, 3, 3, 3]
/// ```
public struct TorchCheckpoint {
    /// Tensor names in the order the checkpoint stores them (nested dicts joined with ".").
    public let names: [String]
    public let tensors: [String: SafeTensorsEntry]

    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// Reads either `torch.save` container.
    /// - throws: `LocatedError` naming the file for I/O errors, truncated or corrupt files, and
    ///   any pickled object that is not a (nested) dict of tensors.
    public init(contentsOf url: URL) throws {
        let handle = try FileBytes.read(url)
        do {
            if handle.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                (names, tensors) = try Self.readZip(url)
            } else if handle.starts(with: [0x80]) {
                (names, tensors) = try Self.readLegacy(Array(handle))
            } else if handle.count > 262, handle[handle.startIndex + 257 ..< handle.startIndex + 262] == Data("ustar".utf8) {
                throw LocatedError("a tar checkpoint (torch < 0.4): re-save it with a current torch.save")
            } else {
                throw LocatedError("not a torch.save file (neither a zip archive nor a pickle)")
            }
        } catch let error as LocatedError {
            throw error.inFile(url.path)
        }
    }

    // MARK: containers

    private static func readZip(_ url: URL) throws -> ([String], [String: SafeTensorsEntry]) {
        let container: ZipContainer
        do { container = try ZipContainer(url) } catch let error as LocatedError {
            throw LocatedError("corrupt zip container: \(error.message)")
        }
        var entries: [String: ZipContainer.Entry] = [:]
        for entry in container.entries { entries[entry.path] = entry }
        guard let pickleEntry = entries.values.first(where: { $0.path.hasSuffix("data.pkl") && $0.path.split(separator: "/").count == 2 }) else {
            throw LocatedError("zip container without ARCHIVE/data.pkl")
        }
        let prefix = String(pickleEntry.path.dropLast("data.pkl".count))
        // Storages skip the CRC pass (the weights' SHA-256 covers them where it matters);
        // the pickle keeps it.
        func read(_ entry: ZipContainer.Entry, checkCRC: Bool = false) throws -> Data {
            do { return try container.data(of: entry, checkCRC: checkCRC) } catch let error as LocatedError {
                throw LocatedError("cannot read \(entry.path) from the zip container: \(error.message)")
            }
        }
        if let order = entries[prefix + "byteorder"], String(decoding: try read(order), as: UTF8.self) != "little" {
            throw LocatedError("big-endian checkpoints are not supported")
        }
        var storages: [String: TorchStorage] = [:]
        let hooks = PickleHooks(
            persistentLoad: { identifier in
                let storage = try storageFromPersistentID(identifier, storages: &storages)
                return .opaque(storage)
            },
            call: rebuild)
        var reader = PickleReader(bytes: Array(try read(pickleEntry, checkCRC: true)), hooks: hooks)
        defer { reader.releaseContainers() }
        let root = try reader.load()
        for (key, storage) in storages where storage.view == nil {
            guard let entry = entries[prefix + "data/" + key] else {
                throw LocatedError("storage \(key) is missing from the zip container (\(prefix)data/\(key))")
            }
            let data = try read(entry)
            guard data.count >= storage.count * storage.dtype.byteCount else {
                throw LocatedError("storage \(key) holds \(data.count) bytes, \(storage.count) × \(storage.dtype.byteCount) expected (truncated?)")
            }
            storage.bytes = data
        }
        return try collectTensors(root)
    }

    private static func readLegacy(_ bytes: [UInt8]) throws -> ([String], [String: SafeTensorsEntry]) {
        let plain = PickleHooks(
            persistentLoad: { _ in throw LocatedError("unexpected persistent id in a legacy header") },
            call: { module, name, _ in throw LocatedError("unexpected object \(module).\(name) in a legacy header") })
        var reader = PickleReader(bytes: bytes, hooks: plain)
        defer { reader.releaseContainers() }
        guard case let .bigInt(magic) = try reader.load(), magic == legacyMagic else {
            throw LocatedError("not a torch.save file: the legacy magic number is missing")
        }
        guard case let .int(protocolVersion) = try reader.load(), protocolVersion == 1001 else {
            throw LocatedError("unsupported legacy protocol version (1001 expected)")
        }
        if case let .dict(info) = try reader.load() {
            for (key, value) in info.items {
                if case .string("little_endian") = key, case .bool(false) = value {
                    throw LocatedError("big-endian checkpoints are not supported")
                }
            }
        }
        var storages: [String: TorchStorage] = [:]
        var objectReader = PickleReader(bytes: bytes, start: reader.position, hooks: PickleHooks(
            persistentLoad: { identifier in .opaque(try storageFromPersistentID(identifier, storages: &storages)) },
            call: rebuild))
        defer { objectReader.releaseContainers() }
        let root = try objectReader.load()
        var keysReader = PickleReader(bytes: bytes, start: objectReader.position, hooks: plain)
        defer { keysReader.releaseContainers() }
        guard case let .list(keyList) = try keysReader.load() else { throw LocatedError("legacy storage key list missing") }
        var position = keysReader.position
        for item in keyList.items {
            guard case let .string(key) = item, let storage = storages[key] else {
                throw LocatedError(offset: position, "legacy storage key \(item) not referenced by the object")
            }
            guard position + 8 <= bytes.count else { throw LocatedError(offset: position, "truncated before storage \(key)") }
            var count: UInt64 = 0
            for shift in 0..<8 { count |= UInt64(bytes[position + shift]) << (8 * UInt64(shift)) }
            position += 8
            let byteCount = Int(clamping: count) &* storage.dtype.byteCount
            guard Int(clamping: count) == storage.count, position + byteCount <= bytes.count else {
                throw LocatedError(offset: position, "storage \(key): \(count) elements recorded, \(storage.count) expected, \(bytes.count - position) bytes left (truncated?)")
            }
            storage.bytes = Data(bytes[position ..< position + byteCount])
            position += byteCount
        }
        return try collectTensors(root)
    }

    // MARK: pickle hooks

    static let storageTypes: [String: SafeTensorsDType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "LongStorage": .int64, "DoubleStorage": .float64,
        "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8, "ByteStorage": .uint8,
        "BoolStorage": .bool, "BFloat16Storage": .bfloat16,
    ]

    private static func storageFromPersistentID(_ identifier: PickleValue, storages: inout [String: TorchStorage]) throws -> TorchStorage {
        guard case let .tuple(fields) = identifier, fields.count >= 5, case .string("storage") = fields[0] else {
            throw LocatedError("unsupported persistent id (a tensor storage tuple expected)")
        }
        guard case let .global(module, typeName) = fields[1], module == "torch", let dtype = storageTypes[typeName] else {
            throw LocatedError("unsupported storage type \(fields[1].typeName) (float32, float16, int64 and the other plain dtypes are supported)")
        }
        let key: String
        switch fields[2] {
        case let .string(text): key = text
        case let .int(number): key = String(number)
        default: throw LocatedError("storage key is a \(fields[2].typeName)")
        }
        guard case let .int(count) = fields[4], count >= 0 else { throw LocatedError("storage \(key) has no element count") }
        let root: TorchStorage
        if let existing = storages[key] {
            root = existing
        } else {
            root = TorchStorage(key: key, dtype: dtype, count: count)
            storages[key] = root
        }
        // Legacy storage views: (view key, element offset, view size).
        if fields.count > 5, case let .tuple(view) = fields[5], view.count == 3,
           case let .string(viewKey) = view[0], case let .int(offset) = view[1], case let .int(size) = view[2] {
            let viewStorage = TorchStorage(key: viewKey, dtype: dtype, count: size)
            viewStorage.view = (root, offset)
            return viewStorage
        }
        return root
    }

    private static func integers(_ value: PickleValue, _ what: String) throws -> [Int] {
        guard case let .tuple(items) = value else { throw LocatedError("tensor \(what) is a \(value.typeName), a tuple expected") }
        return try items.map {
            guard case let .int(number) = $0 else { throw LocatedError("tensor \(what) holds a \($0.typeName)") }
            return number
        }
    }

    private static func rebuild(_ module: String, _ name: String, _ arguments: [PickleValue]) throws -> PickleValue {
        switch (module, name) {
        case ("collections", "OrderedDict"), ("builtins", "dict"):
            return .dict(PickleDict())
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            guard arguments.count >= 4, case let .opaque(object) = arguments[0], let storage = object as? TorchStorage,
                  case let .int(offset) = arguments[1] else {
                throw LocatedError("\(name) with unexpected arguments")
            }
            return .opaque(TorchTensorReference(storage: storage, offset: offset,
                                                shape: try integers(arguments[2], "size"),
                                                strides: try integers(arguments[3], "stride")))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let data = arguments.first, case .opaque = data else { throw LocatedError("\(name) without a tensor") }
            return data
        default:
            throw LocatedError("unsupported Python object \(module).\(name): only state dicts of tensors can be read (save model.state_dict())")
        }
    }

    /// Flattens the top-level dict (nested dicts joined with ".") into named tensors;
    /// plain Python numbers and strings beside them are skipped.
    private static func collectTensors(_ root: PickleValue) throws -> ([String], [String: SafeTensorsEntry]) {
        var names: [String] = []
        var tensors: [String: SafeTensorsEntry] = [:]
        func visit(_ value: PickleValue, _ path: String) throws {
            switch value {
            case let .dict(dict):
                for (key, child) in dict.items {
                    let part: String
                    switch key {
                    case let .string(text): part = text
                    case let .int(number): part = String(number)
                    default: throw LocatedError("dict key of type \(key.typeName) at \(path.isEmpty ? "top level" : path)")
                    }
                    try visit(child, path.isEmpty ? part : path + "." + part)
                }
            case let .opaque(object):
                guard let tensor = object as? TorchTensorReference else {
                    throw LocatedError("\(path) is a bare storage, not a tensor")
                }
                names.append(path)
                tensors[path] = try tensor.materialise()
            case .none, .bool, .int, .float, .string:
                break
            default:
                throw LocatedError("\(path.isEmpty ? "the checkpoint" : path) is a \(value.typeName), not a dict of tensors")
            }
        }
        guard case .dict = root else { throw LocatedError("the checkpoint holds a \(root.typeName), not a state dict") }
        try visit(root, "")
        return (names, tensors)
    }
}
