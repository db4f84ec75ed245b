/// The layout of `ngrams.sqlite`, the real corpus's n-gram statistics beside a prepared
/// dataset. Readable with the `sqlite3` shell:
///
/// ```sql
/// -- format, vocab_sha256 (the dataset vocabulary's fingerprint), unit, seq_len, max_n, sentences
/// CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
/// -- per order n: all n-gram occurrences and distinct n-grams
/// CREATE TABLE totals (n INTEGER PRIMARY KEY, occurrences INTEGER NOT NULL, distinct_ngrams INTEGER NOT NULL);
/// -- key: the n token ids as big-endian 16-bit integers (2n bytes)
/// CREATE TABLE ngrams (n INTEGER NOT NULL, key BLOB NOT NULL, count INTEGER NOT NULL,
///                      PRIMARY KEY (n, key)) WITHOUT ROWID;
/// ```
///
/// e.g. the ten most frequent 4-grams:
/// `sqlite3 data/x/ngrams.sqlite "SELECT hex(key), count FROM ngrams WHERE n = 4 ORDER BY count DESC LIMIT 10"`.
/// The file is in WAL mode.
public enum StoreSchema {
    /// `meta.format` of stores this code writes and reads.
    public static let format = "ttur-text ngrams 1"
    /// The store's file name inside a dataset directory.
    public static let fileName = "ngrams.sqlite"

    static let create = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE totals (n INTEGER PRIMARY KEY, occurrences INTEGER NOT NULL, distinct_ngrams INTEGER NOT NULL);
        CREATE TABLE ngrams (n INTEGER NOT NULL, key BLOB NOT NULL, count INTEGER NOT NULL,
                             PRIMARY KEY (n, key)) WITHOUT ROWID;
        """
}
