import ArgumentParser
import Foundation
import ImageGAN
import Layers
import Tensors

/// `ttur-text bench image-step`: full DCGAN iterations (a discriminator step on a real and a
/// generated batch, a generator step), beside the same iteration in PyTorch.
struct BenchImageStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-step",
        abstract: "Time DCGAN iterations (image mode, Fashion-MNIST size by default).",
        discussion: "With --reference PYTHON, also runs scripts/dcgan_step_torch.py (PyTorch, same sizes and threads) in fp32 and with --autocast bf16 and prints both ratios."
    )

    @Option(help: "Image size (a power of two ≥ 8).") var size = 32
    @Option(help: "Image channels.") var channels = 1
    @Option(help: "Network width (DCGAN's gf_dim/df_dim).") var width = 64
    @Option(help: "Batch size.") var batch = 64
    @Option(help: "Timed iterations (after one warm-up).") var iters = 20
    @Option(help: "Threads for GEMMs and element-wise kernels.") var threads = 2
    @OptionGroup var precisionOptions: BenchPrecisionOptions
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Skip measuring the GEMM peaks (OpenBLAS fp32 4096³, oneDNN bf16 4096×512×2560).") var noPeak = false
    @Option(help: "A Python with torch: also time the PyTorch DCGAN iteration.") var reference: String?

    func validate() throws {
        guard DCGANShape(imageSize: size, channels: channels, generatorWidth: width, discriminatorWidth: width).isValid else {
            throw ValidationError("--size must be a power of two ≥ 8 and --channels 1 or 3")
        }
        guard batch > 1, iters > 0, threads > 0 else { throw ValidationError("--batch must be > 1, --iters and --threads positive") }
    }

    func run() throws {
        Engine.setThreads(threads)
        let precision = try precisionOptions.precision.resolved()
        var c = ImageTrainingConfiguration()
        c.model = DCGANShape(imageSize: size, channels: channels, generatorWidth: width, discriminatorWidth: width)
        let state = DCGANState(configuration: c)
        var random = RandomSource(seed: 1)
        let real = Tensor.randomUniform([batch, size, size, channels], low: -1, high: 1, using: &random)
        func iteration() {
            state.discriminatorUpdate(real: real)
            state.generatorUpdate(batch: batch)
        }
        let (times, flopsPerIteration) = try StepBenchReport.timed(iters, in: precision, iteration)
        let median = times[times.count / 2]
        var result: [String: Any] = ["engine": "ttur-text", "threads": threads, "size": size, "channels": channels,
                                     "width": width, "batch": batch, "median_s": median, "min_s": times.first!,
                                     "max_s": times.last!]
        result.merge(StepBenchReport.precisionFields(precision)) { $1 }
        result.merge(StepBenchReport.gemmFields(flopsPerIteration: flopsPerIteration, median: median,
                                                precision: precision, measurePeaks: !noPeak)) { $1 }
        if let peak = Diagnostics.peakResidentBytes() { result["peak_rss_bytes"] = peak }
        if let reference {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/dcgan_step_torch.py").path
            result.merge(try StepBenchReport.referenceFields(
                python: reference, script: script,
                arguments: ["--size", "\(size)", "--channels", "\(channels)", "--width", "\(width)", "--batch", "\(batch)",
                            "--iters", "\(iters)", "--threads", "\(threads)"],
                median: median)) { $1 }
        }
        try StepBenchReport.print(result, json: json)
    }
}
