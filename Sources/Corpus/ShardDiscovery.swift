import Basics
import Foundation

/// Which part of the One Billion Word benchmark to read.
public enum CorpusSplit: String, Sendable, CaseIterable {
    /// `training-monolingual.tokenized.shuffled/news.en-000NN-of-00100[.zst]`
    case train
    /// `heldout-monolingual.tokenized.shuffled/news.en.heldout-000NN-of-00050[.zst]`
    case heldout

    /// The sub-directory holding this split's shards.
    public var directoryName: String {
        switch self {
        case .train: return "training-monolingual.tokenized.shuffled"
        case .heldout: return "heldout-monolingual.tokenized.shuffled"
        }
    }

    fileprivate var shardPattern: String {
        switch self {
        case .train: return #"^news\.en-[0-9]{5}-of-[0-9]{5}(\.zst)?$"#
        case .heldout: return #"^news\.en\.heldout-[0-9]{5}-of-[0-9]{5}(\.zst)?$"#
        }
    }
}

/// Finds a corpus's shards in the benchmark's layout.
public enum ShardDiscovery {
    /// The shards of `split` under `directory`, in the benchmark's order (by shard number).
    ///
    /// ```swift
    /// let shards = try ShardDiscovery.shards(in: URL(fileURLWithPath: "Corpora/wordnet-examples"), split: .train)
    /// ```
    /// - throws: ``LocatedError`` when the directory is missing or holds no shards, or a
    ///   shard is present both plain and as `.zst`.
    public static func shards(in directory: URL, split: CorpusSplit) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw LocatedError(file: directory.path, "no such directory")
        }
        guard isDirectory.boolValue else { throw LocatedError(file: directory.path, "not a directory") }
        let folder = directory.appendingPathComponent(split.directoryName)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let pattern = try! NSRegularExpression(pattern: split.shardPattern)
        let shards = names.filter {
            pattern.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil
        }.sorted()
        guard !shards.isEmpty else {
            let example = split == .train ? "news.en-00001-of-00100[.zst]" : "news.en.heldout-00000-of-00050[.zst]"
            throw LocatedError(file: directory.path, "no shards: expected \(split.directoryName)/\(example)")
        }
        let stems = shards.map { $0.hasSuffix(".zst") ? String($0.dropLast(4)) : $0 }
        if let twice = Dictionary(grouping: stems, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw LocatedError(file: folder.appendingPathComponent(twice).path,
                              "shard present both plain and as .zst: keep one")
        }
        return shards.map { folder.appendingPathComponent($0) }
    }
}
