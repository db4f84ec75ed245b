import ArgumentParser
import Corpus
import Foundation
import LanguageGAN
import Tensors
import TrainingRuns

/// `ttur-text bench integrity`: what the integrity checks cost where they run: opening a
/// prepared dataset (its tokens.u16 block digests) and reading a checkpoint (its data's
/// SHA-256), each timed with the check and without it in the same process.
struct BenchIntegrity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integrity",
        abstract: "Time opening a prepared dataset and reading a paper-size checkpoint, with and without their integrity checks.",
        discussion: """
            The dataset is a synthetic corpus of --sentences sentences (built under --work and \
            reused), prepared without n-grams; the checkpoint is a fresh paper-size language \
            WGAN-GP (dim 512, seq 32, vocabulary 96) with its Adam state, as `train` writes it. \
            Files are read warm (in the page cache), --repeats times each way; medians printed.
            """
    )

    @OptionGroup var paths: BenchWorkOptions
    @Option(help: "Sentences in the synthetic dataset (0: skip the dataset).") var sentences = 10_000_000
    @Option(help: "Timed repetitions of each way.") var repeats = 7
    @Option(help: "Model width of the checkpoint (0: skip the checkpoint).") var dim = 512

    func validate() throws {
        guard sentences >= 0, dim >= 0, repeats >= 1 else { throw ValidationError("--sentences, --dim must be ≥ 0 and --repeats ≥ 1") }
    }

    func run() throws {
        print("load average before: \(BenchJSD.loadAverage())")
        if sentences > 0 {
            let dataset = try preparedDataset()
            let bytes = dataset.sentenceCount * dataset.sequenceLength * 2
            let (checked, unchecked) = try Self.medians(repeats) { check in
                _ = try PreparedDataset(directory: dataset.directory, checkingDigests: check)
            }
            print(String(format: "open a prepared dataset of %d sentences (tokens.u16 %.0f MB, %d digests): %.3f s with the block digests checked, %.3f s without (+%.3f s, ×%.2f)",
                         dataset.sentenceCount, Double(bytes) / 1e6, dataset.manifest.tokensSHA256?.count ?? 0,
                         checked, unchecked, checked - unchecked, checked / unchecked))
        }
        if dim > 0 {
            let file = paths.workURL.appendingPathComponent("integrity-checkpoint-dim\(dim).safetensors")
            var settings = LanguageSettings(schedule: .ttur)
            (settings.dim, settings.sequenceLength, settings.vocabularySize) = (dim, 32, 96)
            let configuration = LanguageConfiguration(run: RunSettings(), gan: settings)
            try FileManager.default.createDirectory(at: paths.workURL, withIntermediateDirectories: true)
            try GANCheckpoint.save(LanguageGANState(configuration: configuration), kind: LanguageWGAN.kind, configuration: configuration,
                                   progress: RunProgress(iteration: 0, elapsedSeconds: 0), to: file)
            let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
            let (checked, unchecked) = try Self.medians(repeats) { check in
                _ = try SafeTensorsFile(contentsOf: file, verifyingChecksum: check)
            }
            print(String(format: "read a dim-%d checkpoint (%.0f MB): %.3f s with its SHA-256 checked, %.3f s without (+%.3f s, ×%.2f)",
                         dim, Double(size) / 1e6, checked, unchecked, checked - unchecked, checked / unchecked))
        }
        print("load average after: \(BenchJSD.loadAverage())")
    }

    /// The synthetic dataset, prepared (without n-grams) on first use.
    private func preparedDataset() throws -> PreparedDataset {
        let out = paths.workURL.appendingPathComponent("integrity-synthetic-\(sentences)")
        if !FileManager.default.fileExists(atPath: out.appendingPathComponent(PreparedDataset.manifestName).path) {
            let corpus = try SyntheticCorpus.build(sentences: sentences, from: try paths.sampleText(), work: paths.workURL)
            let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
            let log = paths.workURL.appendingPathComponent("integrity-synthetic-\(sentences)-prepare.log")
            let (seconds, _) = try BenchChild.measured(me, ["prepare", "corpus", corpus.path, "--out", out.path, "--unit", "codepoint",
                                                            "--max-examples", "\(sentences)", "--ngram", "0", "--vocab-dir", ""], log: log)
            print(String(format: "prepared %d synthetic sentences in %.1f s (log: %@)", sentences, seconds, log.path))
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
