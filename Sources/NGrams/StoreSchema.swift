import Basics
import GRDB
import GRDBSQLite

/// The layout of `ngrams.sqlite`, the real corpus's n-gram statistics beside a prepared
/// dataset (format 2). Readable with the `sqlite3` shell:
///
/// ```sql
/// -- format ("ttur-text ngrams 2"), vocab_sha256 (the dataset vocabulary's fingerprint),
/// -- vocab_size, unit, seq_len, max_n, sentences, block_entries
/// CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
/// -- per order n: all n-gram occurrences and distinct n-grams
/// CREATE TABLE totals (n INTEGER PRIMARY KEY, occurrences INTEGER NOT NULL, distinct_ngrams INTEGER NOT NULL);
/// -- the distinct n-grams of order n and their counts, sorted by key, in blocks 0, 1, … of
/// -- at most meta.block_entries n-grams. Entry i of a block:
/// --   its key:   bytes 2·n·i … 2·n·i + 2n − 1 of `keys`: the n token ids as big-endian 16-bit integers;
/// --   its count: bytes 8·i … 8·i + 7 of `counts`: a big-endian 64-bit integer (≥ 1).
/// -- Keys increase strictly from entry to entry and from block to block.
/// CREATE TABLE ngram_blocks (n INTEGER NOT NULL, block INTEGER NOT NULL, entries INTEGER NOT NULL,
///                            keys BLOB NOT NULL, counts BLOB NOT NULL, PRIMARY KEY (n, block));
/// -- the table images: order n's in-memory hash table (`PackedCountTable`) as it lies in memory,
/// -- so that opening copies it instead of hashing every block again. A cache of the blocks:
/// -- an order without an image, or with another `layout`, is loaded from its blocks.
/// --   layout: "packed64 mix29-fastrange linear v1"; slots: the table's slot count;
/// --   a slot word: (the n ids packed at bits_per_token bits each, the first highest) << count_bits
/// --   | the count, 0 for an empty slot; count_bits 0: the word is the key alone and the count is
/// --   the part's `counts` entry (32-bit). A count equal to its field's maximum is exact in
/// --   `overflow`: pairs (packed key, count) of 64-bit words. All integers little-endian.
/// CREATE TABLE table_images (n INTEGER PRIMARY KEY, layout TEXT NOT NULL, slots INTEGER NOT NULL,
///                            bits_per_token INTEGER NOT NULL, count_bits INTEGER NOT NULL, overflow BLOB NOT NULL);
/// -- slots 2²³·part … of order n: `words` 8 bytes a slot, `counts` 4 bytes a slot or empty.
/// CREATE TABLE table_image_parts (n INTEGER NOT NULL, part INTEGER NOT NULL, words BLOB NOT NULL,
///                                 counts BLOB NOT NULL, PRIMARY KEY (n, part));
/// ```
///
/// One row per block rather than per n-gram: a store of a million distinct n-grams is a few
/// dozen rows, written and read at memory speed; opening copies the table images (a few
/// 64 MiB rows an order) and reads the blocks only for orders without one. In the shell, e.g. the first ten 4-grams and their counts:
///
/// ```sh
/// sqlite3 data/x/ngrams.sqlite "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < 9)
///   SELECT hex(substr(keys, 1 + 8 * k, 8)), hex(substr(counts, 1 + 8 * k, 8)) FROM ngram_blocks, i
///   WHERE n = 4 AND block = 0 AND k < entries"
/// ```
///
/// The file is in WAL mode. Format 1 (one `ngrams` row per n-gram) is no longer read: such a
/// store is refused with a request to rebuild it with `ttur-text prepare ngrams`.
public enum StoreSchema {
    /// Steps a bound INSERT statement of the builder and resets it for the next row.
    static func insert(_ handle: OpaquePointer?, _ db: Database, path: String) throws {
        let result = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard result == SQLITE_DONE else {
            throw LocatedError(file: path, "insert failed: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
        }
    }

    /// `meta.format` of stores this code writes and reads.
    public static let format = "ttur-text ngrams 2"
    /// The store's file name inside a dataset directory.
    public static let fileName = "ngrams.sqlite"
    /// N-grams per `ngram_blocks` row (the last block of an order holds the rest).
    static let blockEntries = 1 << 16

    static let create = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE totals (n INTEGER PRIMARY KEY, occurrences INTEGER NOT NULL, distinct_ngrams INTEGER NOT NULL);
        CREATE TABLE ngram_blocks (n INTEGER NOT NULL, block INTEGER NOT NULL, entries INTEGER NOT NULL,
                                   keys BLOB NOT NULL, counts BLOB NOT NULL, PRIMARY KEY (n, block));
        CREATE TABLE table_images (n INTEGER PRIMARY KEY, layout TEXT NOT NULL, slots INTEGER NOT NULL,
                                   bits_per_token INTEGER NOT NULL, count_bits INTEGER NOT NULL, overflow BLOB NOT NULL);
        CREATE TABLE table_image_parts (n INTEGER NOT NULL, part INTEGER NOT NULL, words BLOB NOT NULL,
                                        counts BLOB NOT NULL, PRIMARY KEY (n, part));
        """
}
