import Foundation

/// A prepared dataset's distinct sentences (rows of ids) with how often each occurs: to ask
/// whether a row is a training sentence, and which sentence is the commonest. Rows are found
/// by hash and compared exactly. One pass over `tokens.u16`.
///
/// ```swift
/// let index = SentenceIndex(dataset)
/// index.contains(dataset.encode(line: "the cat sat"))   // a training sentence?
/// dataset.vocabulary.decode(ids: dataset.sentence(index.commonest.row))
/// ```
public struct SentenceIndex: Sendable {
    public let dataset: PreparedDataset
    /// Per hash, the distinct rows of that hash: a row index holding it and its count.
    private let rows: [Int: [(row: Int, count: Int)]]
    /// The commonest sentence's row index and count (the first such row on a tie); nil for
    /// an empty dataset.
    public let commonest: (row: Int, count: Int)?

    public init(_ dataset: PreparedDataset) {
        self.dataset = dataset
        var rows: [Int: [(row: Int, count: Int)]] = [:]
        for index in 0..<dataset.sentenceCount {
            let row = dataset.sentence(index)
            let hash = Self.hash(row)
            if let at = rows[hash]?.firstIndex(where: { dataset.sentence($0.row).elementsEqual(row) }) {
                rows[hash]![at].count += 1
            } else {
                rows[hash, default: []].append((index, 1))
            }
        }
        self.rows = rows
        commonest = rows.values.joined().max { ($0.count, -$0.row) < ($1.count, -$1.row) }
    }

    /// Whether `row` (a sentence as the dataset encodes it) is one of the training sentences.
    public func contains<C: Collection>(_ row: C) -> Bool where C.Element == TokenID {
        rows[Self.hash(row)]?.contains { dataset.sentence($0.row).elementsEqual(row) } ?? false
    }

    static func hash<C: Collection>(_ ids: C) -> Int where C.Element == TokenID {
        var hasher = Hasher()
        for id in ids { hasher.combine(id) }
        return hasher.finalize()
    }
}
