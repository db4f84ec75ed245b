import Basics
import Corpus
import Foundation
import LanguageGAN
import Tensors
import TrainingRuns

/// `bench integrity`: what the integrity checks cost where they run — opening a prepared
/// dataset (its `tokens.u16` block digests) and reading a checkpoint (its data's SHA-256) —
/// each timed with the check and without it in one process, alternating.
public enum IntegrityBench {
    public struct Settings {
        /// Work directory, the 1BW sample, and this executable (the preparing child).
        public var corpus: CorpusBench.Settings
        /// Sentences of the synthetic dataset (0: skip it).
        public var sentences = 10_000_000
        /// Timed repetitions of each way.
        public var repeats = 7
        /// Width of the language checkpoint (0: skip it); seq 32 and vocabulary 96 as the paper's.
        public var dim = 512

        public init(corpus: CorpusBench.Settings) { self.corpus = corpus }
    }

    /// Runs both measurements; each result is one reported line.
    /// - throws: `LocatedError` from preparing the dataset or writing the checkpoint.
    public static func run(_ settings: Settings, report: ProgressReporter) throws {
        report.report("load average before: \(CorpusBench.loadAverage())")
        if settings.sentences > 0 {
            let dataset = try preparedDataset(settings, report: report)
            let bytes = dataset.sentenceCount * dataset.sequenceLength * 2
            let (checked, unchecked) = try medians(settings.repeats) { check in
                _ = try PreparedDataset(directory: dataset.directory, checkingDigests: check)
            }
            report.report(String(format: "open a prepared dataset of %d sentences (tokens.u16 %.0f MB, %d digests): %.3f s with the block digests checked, %.3f s without (+%.3f s, ×%.2f)",
                                 dataset.sentenceCount, Double(bytes) / 1e6, dataset.manifest.tokensSHA256?.count ?? 0,
                                 checked, unchecked, checked - unchecked, checked / unchecked))
        }
        if settings.dim > 0 {
            let file = settings.corpus.workURL.appendingPathComponent("integrity-checkpoint-dim\(settings.dim).safetensors")
            var gan = LanguageSettings(schedule: .ttur)
            (gan.dim, gan.sequenceLength, gan.vocabularySize) = (settings.dim, 32, 96)
            let configuration = LanguageConfiguration(run: RunSettings(), gan: gan)
            try FileManager.default.createDirectory(at: settings.corpus.workURL, withIntermediateDirectories: true)
            try GANCheckpoint.save(LanguageGANState(configuration: configuration), kind: LanguageWGAN.kind, configuration: configuration,
                                   progress: RunProgress(iteration: 0, elapsedSeconds: 0), to: file)
            let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
            let (checked, unchecked) = try medians(settings.repeats) { check in
                _ = try SafeTensorsFile(contentsOf: file, verifyingChecksum: check)
            }
            report.report(String(format: "read a dim-%d checkpoint (%.0f MB): %.3f s with its SHA-256 checked, %.3f s without (+%.3f s, ×%.2f)",
                                 settings.dim, Double(size) / 1e6, checked, unchecked, checked - unchecked, checked / unchecked))
        }
        report.report("load average after: \(CorpusBench.loadAverage())")
    }

    /// The synthetic dataset, prepared (without n-grams) on first use.
    private static func preparedDataset(_ settings: Settings, report: ProgressReporter) throws -> PreparedDataset {
        let work = settings.corpus.workURL
        let out = work.appendingPathComponent("integrity-synthetic-\(settings.sentences)")
        if !FileManager.default.fileExists(atPath: out.appendingPathComponent(PreparedDataset.manifestName).path) {
            let corpus = try SyntheticCorpus.build(sentences: settings.sentences, from: try settings.corpus.sampleText(), work: work)
            let log = work.appendingPathComponent("integrity-synthetic-\(settings.sentences)-prepare.log")
            let (seconds, _) = try BenchChild.measured(settings.corpus.executable, [
                "prepare", "corpus", corpus.path, "--out", out.path, "--unit", "codepoint",
                "--max-examples", "\(settings.sentences)", "--ngram", "0", "--vocab-dir", ""], log: log)
            report.report(String(format: "prepared %d synthetic sentences in %.1f s (log: %@)", settings.sentences, seconds, log.path))
        }
        return try PreparedDataset(directory: out)
    }

    /// Median seconds of `body(true)` and of `body(false)`, alternating, after one warm-up of each.
    static func medians(_ repeats: Int, _ body: (Bool) throws -> Void) throws -> (checked: Double, unchecked: Double) {
        var times: [Bool: [Double]] = [true: [], false: []]
        for round in 0...repeats {
            for check in [true, false] {
                let start = Date()
                try body(check)
                if round > 0 { times[check]!.append(Date().timeIntervalSince(start)) }
            }
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        return (median(times[true]!), median(times[false]!))
    }
}
