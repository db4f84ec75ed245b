import ArgumentParser
import Benchmarks
import Distributed
import Foundation
import ImageGAN
import Layers
import Tensors
import TrainingRuns

/// `ttur-text bench image-step`: full DCGAN iterations (a discriminator step on a real and a
/// generated batch, a generator step), or WGAN-GP ones (`--model wgan-gp`), beside the same
/// iteration in PyTorch.
struct BenchImageStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-step",
        abstract: "Time DCGAN or WGAN-GP image iterations (Fashion-MNIST size by default).",
        discussion: """
            With --reference PYTHON, also runs scripts/dcgan_step_torch.py, or for --model wgan-gp \
            ../shared/reference/wgan_image_torch.py bench in fp32 and bf16 autocast (PyTorch, same \
            sizes and threads), and prints the ratio.
            """
    )


    @Option(help: "dcgan or wgan-gp (the residual WGAN-GP models; size 32 or 64).") var model: ImageModel = .dcgan
    @Option(help: "WGAN-GP width multiple (the paper's DIM, 64).") var dim = 64
    @Option(help: "WGAN-GP critic steps per iteration (ttur 1, orig 5).") var criticIters = 1
    @Option(help: "Path of wgan_image_torch.py (default: ../shared/reference/ beside the checkout).")
    var referenceScript: String?

    @Option(help: "Image size (a power of two ≥ 8).") var size = 32
    @Option(help: "Image channels.") var channels = 1
    @Option(help: "Network width (DCGAN's gf_dim/df_dim).") var width = 64
    @Option(help: "Batch size.") var batch = 64
    @Option(help: "Timed iterations (after one warm-up).") var iters = 20
    @Option(help: "Threads for GEMMs and element-wise kernels.") var threads = 2
    @OptionGroup var precisionOptions: BenchPrecisionOptions
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Skip measuring the GEMM peaks (OpenBLAS fp32 4096³, oneDNN bf16 4096×512×2560).") var noPeak = false
    @Option(help: "A Python with torch: also time the PyTorch iteration (fp32 and --autocast bf16).") var reference: String?
    @OptionGroup var distributed: RankOptions

    func validate() throws {
        if model == .wganGP {
            guard ResidualImageShape(imageSize: size, channels: channels, dim: dim).isValid, criticIters > 0 else {
                throw ValidationError("--model wgan-gp needs --size 32 or 64, --channels 1 or 3, positive --dim and --critic-iters")
            }
        } else {
            guard DCGANShape(imageSize: size, channels: channels, generatorWidth: width, discriminatorWidth: width).isValid else {
                throw ValidationError("--size must be a power of two ≥ 8 and --channels 1 or 3")
            }
        }
        guard batch > 1, iters > 0, threads > 0 else { throw ValidationError("--batch must be > 1, --iters and --threads positive") }
    }

    func run() throws {
        if distributed.launches {
            return try distributed.report(try distributed.launch(), json: json)
        }
        try Distributed.start()
        defer { Distributed.finish() }
        guard batch % Distributed.size == 0 else { throw ValidationError("--batch \(batch) does not divide into \(Distributed.size) ranks") }
        Engine.setThreads(threads)
        let precision = try precisionOptions.precision.resolved()
        if model == .wganGP { return try runWGANGP(precision) }
        let settings = DCGANStepBench.Settings(size: size, channels: channels, width: width, batch: batch, iters: iters,
                                               threads: threads)
        var (result, median, trafficBefore) = try DCGANStepBench.measure(settings, precision: precision, measurePeaks: !noPeak)
        RankScaling.traffic(since: trafficBefore, iterations: iters, into: &result)
        guard Distributed.rank == 0 else { return }
        if let reference {
            result.merge(try StepBenchReport.referenceFields(python: reference, script: DCGANStepBench.defaultScript,
                                                             arguments: settings.referenceArguments, median: median)) { $1 }
        }
        print(try StepBenchReport.text(result, json: json))
    }

    private func runWGANGP(_ precision: Precision) throws {
        let settings = WGANImageStepBench.Settings(size: size, channels: channels, dim: dim, batch: batch,
                                                   criticIters: criticIters, iters: iters, threads: threads)
        var result = try Engine.withPrecision(precision) { WGANImageStepBench.measure(settings) }
        result.merge(StepBenchReport.precisionFields(precision)) { $1 }
        if let reference {
            let script = referenceScript ?? WGANImageStepBench.defaultScript
            guard FileManager.default.fileExists(atPath: script) else {
                throw ValidationError("reference script \(script) not found (use --reference-script)")
            }
            let torch = try WGANImageStepBench.reference(python: reference, script: script, settings)
            result["reference"] = torch
            for (mode, value) in torch {
                if let median = (value as? [String: Any])?["median_s"] as? Double, let ours = result["median_s"] as? Double {
                    result["ratio_to_reference_\(mode)"] = ours / median
                }
            }
        }
        print(try StepBenchReport.text(result, json: json))
    }
}
