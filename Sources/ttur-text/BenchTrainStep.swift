import ArgumentParser
import Benchmarks
import Distributed
import Foundation
import Tensors

/// `ttur-text bench train-step`: full WGAN-GP iterations (a generator step and the critic
/// steps with gradient penalty), timed like `wgan_language_torch.py bench`.
struct BenchTrainStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Time full TTUR iterations of the language WGAN-GP (paper size by default)."
    )

    @Option(help: "Model width (channels).") var dim = 512
    @Option(help: "Sequence length.") var seq = 32
    @Option(help: "Batch size.") var batch = 64
    @Option(help: "Vocabulary size.") var vocab = 96
    @Option(help: "Critic steps per generator step.") var criticIters = 1
    @Option(help: "Timed iterations (after one warm-up).") var iters = 5
    @Option(help: "Threads for GEMMs and element-wise kernels.") var threads = 2
    @OptionGroup var precisionOptions: BenchPrecisionOptions
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Skip measuring the GEMM peaks (OpenBLAS fp32 4096³, oneDNN bf16 4096×512×2560).") var noPeak = false
    @Option(help: "A Python with torch: also run ../shared/reference/wgan_language_torch.py bench with the same settings, in fp32 and with --autocast bf16, and report both ratios.")
    var reference: String?
    @Option(help: "Path of wgan_language_torch.py (default: ../shared/reference/ beside the checkout).")
    var referenceScript: String?
    @OptionGroup var distributed: RankOptions

    func validate() throws {
        guard dim > 0, seq > 0, batch > 0, vocab > 1, criticIters > 0, iters > 0, threads > 0 else {
            throw ValidationError("sizes, --iters and --threads must be positive")
        }
    }

    func run() throws {
        if distributed.launches {
            return try distributed.report(try distributed.launch(extra: ["--no-peak"]), json: json)
        }
        try Distributed.start()
        defer { Distributed.finish() }
        guard batch % Distributed.size == 0 else { throw ValidationError("--batch \(batch) does not divide into \(Distributed.size) ranks") }
        Engine.setThreads(threads)
        let settings = LanguageStepBench.Settings(dim: dim, seq: seq, batch: batch, vocab: vocab, criticIters: criticIters,
                                                  iters: iters, threads: threads)
        var (result, median, trafficBefore) = try LanguageStepBench.measure(
            settings, precision: try precisionOptions.precision.resolved(), measurePeaks: !noPeak)
        RankScaling.traffic(since: trafficBefore, iterations: iters, into: &result)
        guard Distributed.rank == 0 else { return }
        if let reference {
            let script = referenceScript ?? LanguageStepBench.defaultScript
            guard FileManager.default.fileExists(atPath: script) else {
                throw ValidationError("reference script \(script) not found (use --reference-script)")
            }
            result.merge(try StepBenchReport.referenceFields(python: reference, script: script,
                                                             arguments: settings.referenceArguments, median: median)) { $1 }
        }
        print(try StepBenchReport.text(result, json: json))
    }
}
