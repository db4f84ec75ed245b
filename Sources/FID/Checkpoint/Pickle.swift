import Basics
import Foundation

// A Python pickle reader for the subset that `torch.save` state dicts use: protocols 2–5,
// containers, numbers, strings, globals resolved by the caller (never imported or run),
// persistent ids resolved by the caller. Opcodes: CPython's Lib/pickletools.py.

/// A mutable Python list or dict: pickles build them after memoising them.
final class PickleList { var items: [PickleValue] = [] }
final class PickleDict { var items: [(key: PickleValue, value: PickleValue)] = [] }
/// The containers one reader made (see `PickleReader.releaseContainers`).
final class PickleContainers {
    var lists: [PickleList] = []
    var dicts: [PickleDict] = []
}

/// A value on the pickle machine's stack.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// A LONG wider than 64 bits, two's-complement little-endian bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    case global(module: String, name: String)
    /// A value produced by the caller's hooks (a storage, a tensor …).
    case opaque(AnyObject)

    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case let .global(module, name): return "\(module).\(name)"
        case let .opaque(object): return String(describing: type(of: object))
        }
    }
}

/// What a pickle may ask of its reader, answered by the caller.
struct PickleHooks {
    /// `BINPERSID`: the persistent id tuple to a value (torch: a storage).
    var persistentLoad: (PickleValue) throws -> PickleValue
    /// `REDUCE` / `NEWOBJ`: a global called with arguments. Throw for anything unknown.
    var call: (_ module: String, _ name: String, _ arguments: [PickleValue]) throws -> PickleValue
}

/// Runs one pickle from `bytes[start...]` and returns its value and the offset after STOP.
struct PickleReader {
    let bytes: [UInt8]
    var position: Int
    let hooks: PickleHooks

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Every list and dict this reader made. A pickle can put a container inside itself
    /// (through the memo), a reference cycle ARC never frees (found by LeakSanitizer):
    /// `releaseContainers()` empties them all once the caller is done with the value.
    private let containers = PickleContainers()

    init(bytes: [UInt8], start: Int = 0, hooks: PickleHooks) {
        self.bytes = bytes
        self.position = start
        self.hooks = hooks
    }

    /// Empties every list and dict this reader made, breaking any cycle among them. Call it
    /// when the loaded values are no longer needed (`defer { reader.releaseContainers() }`).
    func releaseContainers() {
        for list in containers.lists { list.items = [] }
        for dict in containers.dicts { dict.items = [] }
        containers.lists = []
        containers.dicts = []
    }

    private func newList(_ items: [PickleValue] = []) -> PickleValue {
        let list = PickleList()
        list.items = items
        containers.lists.append(list)
        return .list(list)
    }

    private func newDict() -> PickleDict {
        let dict = PickleDict()
        containers.dicts.append(dict)
        return dict
    }

    /// Registers a container a hook made (an OrderedDict), so `releaseContainers` covers it.
    private func adopt(_ value: PickleValue) -> PickleValue {
        if case let .list(list) = value { containers.lists.append(list) }
        if case let .dict(dict) = value { containers.dicts.append(dict) }
        return value
    }

    private func fail(_ message: String, at offset: Int? = nil) -> LocatedError {
        LocatedError(offset: offset ?? position, "pickle: \(message)")
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, position + count <= bytes.count else {
            throw fail("truncated: \(count) bytes wanted, \(bytes.count - position) left")
        }
        defer { position += count }
        return bytes[position ..< position + count]
    }

    private mutating func unsigned(_ width: Int) throws -> Int {
        var value: UInt64 = 0
        for (shift, byte) in try take(width).enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        guard value <= UInt64(Int.max) else { throw fail("length \(value) out of range") }
        return Int(value)
    }

    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("unterminated text line") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    private mutating func utf8(_ count: Int) throws -> String {
        let slice = try take(count)
        guard let text = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8 string") }
        return text
    }

    private mutating func pop() throws -> PickleValue {
        guard let value = stack.popLast() else { throw fail("stack underflow") }
        if let mark = marks.last, stack.count < mark { throw fail("popped past a MARK") }
        return value
    }

    private mutating func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw fail("no MARK on the stack") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func top() throws -> PickleValue {
        guard let value = stack.last else { throw fail("stack underflow") }
        return value
    }

    private func setItems(_ target: PickleValue, _ pairs: ArraySlice<PickleValue>) throws {
        guard case let .dict(dict) = target else { throw fail("SETITEM(S) on a \(target.typeName)") }
        guard pairs.count % 2 == 0 else { throw fail("odd number of dict items") }
        var index = pairs.startIndex
        while index < pairs.endIndex {
            dict.items.append((pairs[index], pairs[index + 1]))
            index += 2
        }
    }

    /// Runs to STOP.
    /// - throws: `LocatedError` with the byte offset for unsupported opcodes, truncation, or
    ///   anything the hooks refuse.
    mutating func load() throws -> PickleValue {
        stack = []
        marks = []
        memo = [:]
        while true {
            let opcodeOffset = position
            let opcode = try take(1).first!
            switch opcode {
            case 0x80: _ = try take(1)                               // PROTO
            case 0x95: _ = try take(8)                               // FRAME
            case 0x2E:                                               // STOP
                guard stack.count == 1, marks.isEmpty else { throw fail("STOP with \(stack.count) values on the stack") }
                return stack[0]
            case 0x28: marks.append(stack.count)                     // MARK
            case 0x7D: stack.append(.dict(newDict()))                // EMPTY_DICT
            case 0x5D: stack.append(newList())                       // EMPTY_LIST
            case 0x29: stack.append(.tuple([]))                      // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popToMark()))         // TUPLE
            case 0x85: stack.append(.tuple([try pop()]))             // TUPLE1
            case 0x86:                                               // TUPLE2
                let b = try pop(), a = try pop()
                stack.append(.tuple([a, b]))
            case 0x87:                                               // TUPLE3
                let c = try pop(), b = try pop(), a = try pop()
                stack.append(.tuple([a, b, c]))
            case 0x6C: stack.append(newList(try popToMark()))        // LIST
            case 0x64:                                               // DICT
                let dict = newDict()
                let items = try popToMark()
                try setItems(.dict(dict), items[...])
                stack.append(.dict(dict))
            case 0x71: memo[try unsigned(1)] = try top()             // BINPUT
            case 0x72: memo[try unsigned(4)] = try top()             // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()                  // MEMOIZE
            case 0x70:                                               // PUT
                guard let index = Int(try line()) else { throw fail("bad PUT index") }
                memo[index] = try top()
            case 0x68, 0x6A, 0x67:                                   // BINGET, LONG_BINGET, GET
                let index: Int
                if opcode == 0x67 {
                    guard let parsed = Int(try line()) else { throw fail("bad GET index") }
                    index = parsed
                } else {
                    index = try unsigned(opcode == 0x68 ? 1 : 4)
                }
                guard let value = memo[index] else { throw fail("memo \(index) is empty", at: opcodeOffset) }
                stack.append(value)
            case 0x4B: stack.append(.int(try unsigned(1)))           // BININT1
            case 0x4D: stack.append(.int(try unsigned(2)))           // BININT2
            case 0x4A:                                               // BININT (signed 32-bit)
                stack.append(.int(Int(Int32(truncatingIfNeeded: try unsigned(4)))))
            case 0x8A, 0x8B:                                         // LONG1, LONG4
                let count = try unsigned(opcode == 0x8A ? 1 : 4)
                let raw = Array(try take(count))
                if count <= 8 {
                    var value: UInt64 = 0
                    for (shift, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
                    let negative = raw.last.map { $0 & 0x80 != 0 } ?? false
                    if negative && count < 8 { value |= ~UInt64(0) << (8 * UInt64(count)) }
                    stack.append(.int(Int(Int64(bitPattern: value))))
                } else {
                    stack.append(.bigInt(raw))
                }
            case 0x49:                                               // INT (text; also bools)
                let text = try line()
                if text == "01" { stack.append(.bool(true)) } else if text == "00" { stack.append(.bool(false)) } else {
                    guard let value = Int(text) else { throw fail("bad INT \(text)") }
                    stack.append(.int(value))
                }
            case 0x4E: stack.append(.none)                           // NONE
            case 0x88: stack.append(.bool(true))                     // NEWTRUE
            case 0x89: stack.append(.bool(false))                    // NEWFALSE
            case 0x47:                                               // BINFLOAT (big-endian)
                var bits: UInt64 = 0
                for byte in try take(8) { bits = bits << 8 | UInt64(byte) }
                stack.append(.float(Double(bitPattern: bits)))
            case 0x58: stack.append(.string(try utf8(try unsigned(4))))      // BINUNICODE
            case 0x8C: stack.append(.string(try utf8(try unsigned(1))))      // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try utf8(try unsigned(8))))      // BINUNICODE8
            case 0x55, 0x54:                                                 // SHORT_BINSTRING, BINSTRING
                let count = try unsigned(opcode == 0x55 ? 1 : 4)
                stack.append(.string(String(decoding: try take(count), as: UTF8.self)))
            case 0x43, 0x42, 0x8E:                                           // SHORT_BINBYTES, BINBYTES, BINBYTES8
                let count = try unsigned(opcode == 0x43 ? 1 : opcode == 0x42 ? 4 : 8)
                stack.append(.bytes(Array(try take(count))))
            case 0x63:                                               // GLOBAL
                let module = try line(), name = try line()
                stack.append(.global(module: module, name: name))
            case 0x93:                                               // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard case let .string(m) = module, case let .string(n) = name else {
                    throw fail("STACK_GLOBAL needs two strings")
                }
                stack.append(.global(module: m, name: n))
            case 0x52, 0x81:                                         // REDUCE, NEWOBJ
                let arguments = try pop(), callable = try pop()
                guard case let .global(module, name) = callable, case let .tuple(values) = arguments else {
                    throw fail("\(opcode == 0x52 ? "REDUCE" : "NEWOBJ") of a \(callable.typeName)", at: opcodeOffset)
                }
                do {
                    stack.append(adopt(try hooks.call(module, name, values)))
                } catch let error as LocatedError where error.offset == nil {
                    throw LocatedError(offset: opcodeOffset, error.message)
                }
            case 0x62:                                               // BUILD
                let state = try pop()
                let target = try top()
                // State dicts are OrderedDicts whose BUILD state is `{'_metadata': …}` (module
                // versions); tensors may carry empty state. Neither affects the values.
                switch target {
                case .dict, .opaque: break
                default: throw fail("BUILD on a \(target.typeName) (state \(state.typeName))", at: opcodeOffset)
                }
            case 0x51:                                               // BINPERSID
                let identifier = try pop()
                stack.append(try hooks.persistentLoad(identifier))
            case 0x73:                                               // SETITEM
                let value = try pop(), key = try pop()
                try setItems(try top(), [key, value][...])
            case 0x75:                                               // SETITEMS
                let items = try popToMark()
                try setItems(try top(), items[...])
            case 0x61:                                               // APPEND
                let value = try pop()
                guard case let .list(list) = try top() else { throw fail("APPEND to a non-list") }
                list.items.append(value)
            case 0x65:                                               // APPENDS
                let values = try popToMark()
                guard case let .list(list) = try top() else { throw fail("APPENDS to a non-list") }
                list.items.append(contentsOf: values)
            case 0x30: _ = try pop()                                 // POP
            case 0x31: _ = try popToMark()                           // POP_MARK
            case 0x32: stack.append(try top())                       // DUP
            default:
                throw fail(String(format: "unsupported opcode 0x%02X (not used by torch state dicts)", opcode),
                           at: opcodeOffset)
            }
        }
    }
}
