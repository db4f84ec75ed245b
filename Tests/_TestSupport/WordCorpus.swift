import Foundation
import Tensors
import XCTest

/// The tiny corpus of the training tests (300 sentences of ten words, seed 11), prepared by
/// `ttur-text prepare corpus --seq-len 8 --ngram 4` into `corpus.root/data`.
public enum WordCorpus {
    public static func prepare(in corpus: TemporaryCorpus) throws -> URL {
        let words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far"]
        var random = RandomSource(seed: 11)
        let lines = (0..<300).map { _ in
            (0..<(2 + random.nextInt(below: 4))).map { _ in words[random.nextInt(below: words.count)] }
                .joined(separator: " ")
        }
        _ = try corpus.addShard(1, lines: lines)
        let data = corpus.root.appendingPathComponent("data")
        let prepared = try TTURTextExecutable.run(["prepare", "corpus", corpus.corpusDirectory.path, "--out", data.path,
                                                   "--seq-len", "8", "--ngram", "4", "--vocab-dir", ""])
        XCTAssertEqual(prepared.status, 0, prepared.standardError)
        return data
    }
}
