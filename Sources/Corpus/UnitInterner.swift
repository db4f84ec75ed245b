import Basics
import Foundation

/// Gives each distinct unit a provisional id in order of first appearance, and collects one
/// sentence's ids at a time. Preparation counts units under these ids and maps them to
/// vocabulary ids once the whole corpus is read.
struct UnitInterner: UnitSink {
    private var asciiIDs = [UInt32](repeating: .max, count: 128)
    private var scalarIDs: [UInt32: UInt32] = [:]
    private var textIDs: [String: UInt32] = [:]
    /// Unit text by provisional id.
    private(set) var units: [String] = []
    /// The current sentence's provisional ids.
    var row: [UInt32] = []

    mutating func ascii(_ byte: UInt8) {
        var id = asciiIDs[Int(byte)]
        if id == .max {
            id = newID(String(UnicodeScalar(byte)))
            asciiIDs[Int(byte)] = id
        }
        row.append(id)
    }

    mutating func scalar(_ scalar: Unicode.Scalar) {
        if let id = scalarIDs[scalar.value] { row.append(id); return }
        let id = newID(String(scalar))
        scalarIDs[scalar.value] = id
        row.append(id)
    }

    mutating func text(_ text: String) {
        if let id = textIDs[text] { row.append(id); return }
        let id = newID(text)
        textIDs[text] = id
        row.append(id)
    }

    /// The provisional id of the padding unit.
    mutating func paddingID() -> UInt32 {
        ascii(UInt8(ascii: "`"))
        return row.removeLast()
    }

    private mutating func newID(_ text: String) -> UInt32 {
        units.append(text)
        return UInt32(units.count - 1)
    }
}

/// The sentences read so far, `width` provisional ids each, stored as `UInt16` while every
/// id fits and widened to `UInt32` once one does not (word units of a large corpus). Grows
/// with `realloc`, so the peak is the data itself, not a doubling array's spare half.
final class TokenRows {
    let width: Int
    private(set) var count = 0
    private var narrow: UnsafeMutablePointer<UInt16>?
    private var wide: UnsafeMutablePointer<UInt32>?
    private var capacity = 0

    init(width: Int) { self.width = width }

    deinit {
        free(narrow)
        free(wide)
    }

    /// Appends one sentence (exactly `width` ids).
    func append(_ row: UnsafeBufferPointer<UInt32>, largestID: UInt32) {
        if count == capacity { grow() }
        if wide == nil && largestID >= UInt32(UInt16.max) { widen() }
        let at = count * width
        if let wide {
            (wide + at).update(from: row.baseAddress!, count: width)
        } else {
            let destination = narrow! + at
            for i in 0..<width { destination[i] = UInt16(truncatingIfNeeded: row[i]) }
        }
        count += 1
    }

    /// Maps provisional ids to final ids, shuffles the rows with `seed` and hands the
    /// little-endian result to `body`.
    func finish<R>(mapping: [TokenID], seed: UInt64,
                   _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let total = count * width
        if let wide {
            // In place: element i's UInt16 lands at or before where its UInt32 was read.
            let out = UnsafeMutableRawPointer(wide).assumingMemoryBound(to: UInt16.self)
            for i in 0..<total { out[i] = mapping[Int(wide[i])].littleEndian }
            narrow = UnsafeMutablePointer(out)
            self.wide = nil
        } else if let narrow {
            mapping.withUnsafeBufferPointer { map in
                for i in 0..<total { narrow[i] = map[Int(narrow[i])].littleEndian }
            }
        }
        if let narrow { shuffleRows(narrow, seed: seed) }
        return try body(UnsafeRawBufferPointer(start: narrow, count: total * 2))
    }

    private func shuffleRows(_ base: UnsafeMutablePointer<UInt16>, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: width)
        defer { scratch.deallocate() }
        var i = count - 1
        while i > 0 {  // Fisher–Yates, from the end
            let j = random.next(below: i + 1)
            if j != i {
                let a = base + i * width, b = base + j * width
                scratch.update(from: a, count: width)
                a.update(from: b, count: width)
                b.update(from: scratch, count: width)
            }
            i -= 1
        }
    }

    private func grow() {
        capacity = max(1024, capacity + capacity / 4)
        if let w = wide {
            wide = realloc(w, capacity * width * 4)!.assumingMemoryBound(to: UInt32.self)
        } else {
            narrow = realloc(narrow, capacity * width * 2)!.assumingMemoryBound(to: UInt16.self)
        }
    }

    private func widen() {
        let w = malloc(max(1, capacity * width * 4))!.assumingMemoryBound(to: UInt32.self)
        for i in 0..<(count * width) { w[i] = UInt32(narrow![i]) }
        free(narrow)
        narrow = nil
        wide = w
    }
}
