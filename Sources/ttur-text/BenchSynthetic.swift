import Basics
import Corpus
import Benchmarks
import Foundation
import NGrams

extension BenchJSD {
    /// `bench jsd --synthetic-sentences N`: prepares a synthetic corpus of N sentences, builds
    /// its store in a child process, and reports the store's size, its opening time, one
    /// `eval jsd` process (wall clock and peak resident set: what opening costs a run) and the
    /// median time of one evaluation of --samples sentences in this process.
    func runSynthetic(_ sentences: Int) throws {
        print("load average before: \(Self.loadAverage())")
        var started = Date()
        let out = paths.workURL.appendingPathComponent("jsd-synthetic-\(sentences)")
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        if FileManager.default.fileExists(atPath: out.appendingPathComponent(StoreSchema.fileName).path) {
            print("reusing the prepared corpus and store in \(out.path) (delete it to measure preparation)")
        } else {
            let corpus = try SyntheticCorpus.build(sentences: sentences, from: try paths.sampleText(), work: paths.workURL)
            print(String(format: "synthetic corpus of %d sentences: %.1f s", sentences, Date().timeIntervalSince(started)))
            let log = paths.workURL.appendingPathComponent("jsd-synthetic-\(sentences)-prepare.log")
            var arguments = ["prepare", "corpus", corpus.path, "--out", out.path, "--unit", "codepoint",
                             "--max-examples", "\(sentences)", "--ngram", "6", "--vocab-dir", "",
                             "--memory-limit", "\(memoryLimit)"]
            if let threads { arguments += ["--ngram-threads", "\(threads)"] }
            let (wall, peak) = try BenchChild.measured(me, arguments, log: log)
            print(String(format: "`prepare corpus` (with the store) process: %.1f s, peak RSS %.0f MB", wall, Double(peak) / 1e6))
        }
        let dataset = try PreparedDataset(directory: out)
        let storeFile = out.appendingPathComponent(StoreSchema.fileName)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: storeFile.path)[.size] as? Int) ?? 0
        var random = SplitMix64(seed: 7)
        let samples = (0..<self.samples).map { _ in dataset.vocabulary.decode(ids: dataset.sentence(random.next(below: dataset.sentenceCount))) }
        let samplesFile = paths.workURL.appendingPathComponent("jsd-synthetic-samples.txt")
        try Data(samples.map { $0 + "\n" }.joined().utf8).write(to: samplesFile)
        let log = paths.workURL.appendingPathComponent("jsd-synthetic-\(sentences)-eval.log")
        let (evalWall, evalPeak) = try BenchChild.measured(me, ["eval", "jsd", "--data", out.path, "--samples", samplesFile.path, "--json"], log: log)
        started = Date()
        let store = try NGramStore(dataset: dataset)
        let openSeconds = Date().timeIntervalSince(started)
        let encoded = try dataset.vocabulary.encode(lines: samples, length: dataset.sequenceLength)
        let (median, _) = try Self.evaluationSeconds(store, encoded, repeats: repeats)
        // As in training, where every evaluation scores new samples: each of the timed
        // evaluations gets its own draw, so its look-ups find the tables cold, not the
        // slots the previous evaluation brought into the caches.
        let fresh = try (0..<max(repeats, 1)).map { _ in
            try dataset.vocabulary.encode(lines: (0..<self.samples).map { _ in
                dataset.vocabulary.decode(ids: dataset.sentence(random.next(below: dataset.sentenceCount)))
            }, length: dataset.sequenceLength)
        }
        let (freshMedian, _) = try Self.evaluationSeconds(store, sets: fresh)
        // (The occurrences pass 2³¹ at 13 M sentences: interpolated, not through a 32-bit %d.)
        print("\(dataset.sentenceCount) sentences, \(store.totals.values.reduce(0, +)) n-gram occurrences, " + String(format: "store %.0f MB; open %.2f s, tables %.0f MB; `eval jsd` process %.2f s, peak RSS %.0f MB; one evaluation of %d sentences, n = 1…6: median %.2f ms the same sentences each time, %.2f ms new sentences each time",
                     Double(bytes) / 1e6, openSeconds,
                     Double(store.tableBytes) / 1e6, evalWall, Double(evalPeak) / 1e6, self.samples, median * 1e3, freshMedian * 1e3))
        print("load average after: \(Self.loadAverage())")
    }
}
