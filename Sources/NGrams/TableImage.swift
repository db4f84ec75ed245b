import Basics
import Foundation
import GRDB
import GRDBSQLite

#if _endian(big)
#error("table images are little-endian and copied into memory as they are: big-endian hosts are not supported")
#endif

/// The in-memory table of one order (``PackedCountTable``), kept in the store as BLOBs so
/// that opening copies it back in bulk (`sqlite3_blob_read` straight into the table's
/// memory) instead of hashing every n-gram of the blocks again. Layout: ``StoreSchema``.
/// An image is a cache of the blocks: a store without images, or with images of another
/// `layout`, loads from the blocks as before.
enum TableImage {
    /// `table_images.layout` of the images this code writes and reads: the slot word, the
    /// hash (`(k ^ k >> 29) · 0x9E3779B97F4A7C15`, its high 64 bits of the product with the slot
    /// count as the first slot) and linear probing. Changing any of them changes this name.
    static let layout = "packed64 mix29-fastrange linear v1"
    /// Slots per `table_image_parts` row (64 MiB of words).
    static let partSlots = 1 << 23

    /// What `table_images` says of one order.
    struct Header {
        let slots: Int
        let bitsPerToken: Int
        let countBits: Int
        let overflow: [UInt64: UInt64]
    }

    /// The headers of the images of this code's layout, by order (empty for a store without).
    static func headers(_ db: Database, path: String) throws -> [Int: Header] {
        guard try db.tableExists("table_images"), try db.tableExists("table_image_parts") else { return [:] }
        var headers: [Int: Header] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT n, layout, slots, bits_per_token, count_bits, overflow FROM table_images") {
            // Decoded with throws: a NULL or a text where a number belongs is a corrupt store, not a crash.
            let n: Int = try row.decode(atIndex: 0), layout: String = try row.decode(atIndex: 1)
            guard layout == Self.layout else { continue }
            let blob: Data = try row.decode(Data?.self, atIndex: 5) ?? Data()
            guard blob.count % 16 == 0 else {
                throw LocatedError(file: path, "corrupt: the table image of the \(n)-grams has a side table of \(blob.count) bytes (not pairs of 64-bit words)")
            }
            var overflow: [UInt64: UInt64] = [:]
            blob.withUnsafeBytes { raw in
                for i in 0..<(blob.count / 16) {
                    overflow[UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16 * i, as: UInt64.self))] =
                        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16 * i + 8, as: UInt64.self))
                }
            }
            headers[n] = Header(slots: try row.decode(atIndex: 2), bitsPerToken: try row.decode(atIndex: 3),
                                countBits: try row.decode(atIndex: 4), overflow: overflow)
        }
        return headers
    }

    /// Writes `table` as the image of its order.
    static func write(_ table: PackedCountTable, _ db: Database, path: String) throws {
        let n = table.order
        var overflow = Data(capacity: 16 * table.overflow.count)
        for (key, count) in table.overflow.sorted(by: { $0.key < $1.key }) {
            withUnsafeBytes(of: key.littleEndian) { overflow.append(contentsOf: $0) }
            withUnsafeBytes(of: count.littleEndian) { overflow.append(contentsOf: $0) }
        }
        try db.execute(sql: "INSERT INTO table_images (n, layout, slots, bits_per_token, count_bits, overflow) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [n, layout, table.slots, table.bitsPerToken, table.countBits, overflow])
        let statement = try db.makeStatement(sql: "INSERT INTO table_image_parts (n, part, words, counts) VALUES (?, ?, ?, ?)")
        let handle = statement.sqliteStatement
        var first = 0, part = 0
        while first < table.slots {
            let slots = min(partSlots, table.slots - first)
            sqlite3_bind_int(handle, 1, Int32(n))
            sqlite3_bind_int(handle, 2, Int32(part))
            // SQLITE_STATIC: the table outlives the statement's step.
            sqlite3_bind_blob(handle, 3, table.words + first, Int32(slots * 8), nil)
            if let counts = table.counts {
                sqlite3_bind_blob(handle, 4, counts + first, Int32(slots * 4), nil)
            } else {
                sqlite3_bind_zeroblob(handle, 4, 0)
            }
            try StoreSchema.insert(handle, db, path: path)
            first += slots
            part += 1
        }
    }

    /// Copies the image of order `table.order` into `table`'s slots (allocated with the
    /// header's slot count) and checks it against the order's totals.
    static func read(_ db: Database, into table: PackedCountTable, header: Header, distinct: Int, total: UInt64, path: String) throws {
        let n = table.order
        func corrupt(_ what: String) -> LocatedError {
            LocatedError(file: path, "corrupt: the table image of the \(n)-grams: \(what) (rebuild the store with `ttur-text prepare ngrams`)")
        }
        let rows = try Row.fetchAll(db, sql: "SELECT rowid, part, length(words), length(counts) FROM table_image_parts WHERE n = ? ORDER BY part", arguments: [n])
        var first = 0
        for (index, row) in rows.enumerated() {
            let rowid: Int64 = try row.decode(atIndex: 0), part: Int = try row.decode(atIndex: 1)
            let wordBytes: Int = try row.decode(atIndex: 2), countBytes: Int = try row.decode(atIndex: 3)
            let slots = min(partSlots, table.slots - first)
            guard part == index, slots > 0, wordBytes == 8 * slots, countBytes == (table.counts == nil ? 0 : 4 * slots) else {
                throw corrupt("part \(part) holds \(wordBytes) + \(countBytes) bytes where \(max(slots, 0)) slots were expected")
            }
            try copy(db, rowid: rowid, column: "words", to: UnsafeMutableRawPointer(table.words + first), bytes: wordBytes, corrupt)
            if let counts = table.counts {
                try copy(db, rowid: rowid, column: "counts", to: UnsafeMutableRawPointer(counts + first), bytes: countBytes, corrupt)
            }
            first += slots
        }
        guard first == table.slots else { throw corrupt("its parts hold \(first) of \(table.slots) slots") }
        if let problem = table.adopt(image: header.overflow, distinct: distinct, total: total) { throw corrupt(problem) }
    }

    private static func copy(_ db: Database, rowid: Int64, column: String, to destination: UnsafeMutableRawPointer, bytes: Int,
                             _ corrupt: (String) -> LocatedError) throws {
        var blob: OpaquePointer?
        guard sqlite3_blob_open(db.sqliteConnection, "main", "table_image_parts", column, rowid, 0, &blob) == SQLITE_OK, let blob else {
            throw corrupt("cannot open a part: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
        }
        defer { sqlite3_blob_close(blob) }
        guard Int(sqlite3_blob_bytes(blob)) == bytes, sqlite3_blob_read(blob, destination, Int32(bytes), 0) == SQLITE_OK else {
            throw corrupt("cannot read a part: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
        }
    }
}
