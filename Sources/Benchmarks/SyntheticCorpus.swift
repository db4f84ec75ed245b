import Basics
import Corpus
import Foundation

/// A corpus built like the benchmark, at any size, so nobody commits data: a word-bigram
/// chain of the sample's sentences (each word followed by a successor it has in the sample,
/// a sentence ending where a sample sentence ends) with 8 % of the words replaced by random
/// lower-case words, seeded.
public enum SyntheticCorpus {
    public static let randomWordShare = 0.08
    public static let sentencesPerShard = 1_000_000

    /// `sentences` sentences under `work/synthetic-N/` (reused when already there), in
    /// zstd shards of a million sentences.
    public static func build(sentences: Int, from sample: Data, work: URL, seed: UInt64 = 19) throws -> URL {
        let root = work.appendingPathComponent("synthetic-\(sentences)")
        let folder = root.appendingPathComponent(CorpusSplit.train.directoryName)
        let done = root.appendingPathComponent(".complete")
        if FileManager.default.fileExists(atPath: done.path) { return root }
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        // The chain: word ids, each word's successors (an id past the end marks a sentence end).
        var ids: [Substring: Int32] = [:], words: [Substring] = []
        var starts: [Int32] = [], successors: [[Int32]] = []
        for line in sample.split(separator: 0x0A) {
            let text = Substring(String(decoding: line, as: UTF8.self))
            let sentence = text.split(separator: " ").map { word -> Int32 in
                if let id = ids[word] { return id }
                ids[word] = Int32(words.count)
                words.append(word)
                successors.append([])
                return Int32(words.count - 1)
            }
            guard let first = sentence.first else { continue }
            starts.append(first)
            for (a, b) in zip(sentence, sentence.dropFirst()) { successors[Int(a)].append(b) }
            successors[Int(sentence.last!)].append(-1)
        }
        guard !starts.isEmpty else { throw LocatedError("the sample holds no sentences") }
        var random = SplitMix64(seed: seed)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var written = 0, shard = 1
        while written < sentences {
            let count = min(sentencesPerShard, sentences - written)
            var text = ""
            text.reserveCapacity(count * 140)
            for _ in 0..<count {
                var word = starts[random.next(below: starts.count)]
                for position in 0..<60 {
                    if position > 0 { text += " " }
                    if Double(random.next(below: 1 << 20)) < randomWordShare * Double(1 << 20) {
                        text += String((0..<(3 + random.next(below: 7))).map { _ in letters[random.next(below: letters.count)] })
                    } else {
                        text += words[Int(word)]
                    }
                    let next = successors[Int(word)]
                    let following = next[random.next(below: next.count)]
                    if following < 0 { break }
                    word = following
                }
                text += "\n"
            }
            let plain = folder.appendingPathComponent(String(format: "news.en-%05d-of-00100", shard))
            try Data(text.utf8).write(to: plain)
            _ = try BenchChild.output("/usr/bin/zstd", ["-q", "--rm", "-f", plain.path])
            written += count
            shard += 1
        }
        try Data().write(to: done)
        return root
    }
}
