import ArgumentParser
import Distributed
import Foundation
import ImageGAN
import Layers
import Tensors
import TrainingRuns

/// `ttur-text bench image-step`: full DCGAN iterations (a discriminator step on a real and a
/// generated batch, a generator step), beside the same iteration in PyTorch.
struct BenchImageStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-step",
        abstract: "Time DCGAN iterations (image mode, Fashion-MNIST size by default).",
        discussion: "With --reference PYTHON, also runs scripts/dcgan_step_torch.py (PyTorch, same sizes and threads) and prints the ratio."
    )

    @Option(help: "Image size (a power of two ≥ 8).") var size = 32
    @Option(help: "Image channels.") var channels = 1
    @Option(help: "Network width (DCGAN's gf_dim/df_dim).") var width = 64
    @Option(help: "Batch size.") var batch = 64
    @Option(help: "Timed iterations (after one warm-up).") var iters = 20
    @Option(help: "Threads for GEMMs and element-wise kernels.") var threads = 2
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: "A Python with torch: also time the PyTorch DCGAN iteration.") var reference: String?
    @OptionGroup var distributed: RankOptions

    func validate() throws {
        guard DCGANShape(imageSize: size, channels: channels, generatorWidth: width, discriminatorWidth: width).isValid else {
            throw ValidationError("--size must be a power of two ≥ 8 and --channels 1 or 3")
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
        var c = DCGANSettings()
        c.model = DCGANShape(imageSize: size, channels: channels, generatorWidth: width, discriminatorWidth: width)
        let state = DCGANState(configuration: DCGANConfiguration(run: RunSettings(), gan: c))
        var random = RandomSource(seed: 1)
        let real = Tensor.randomUniform([batch, size, size, channels], low: -1, high: 1, using: &random).localRows()
        func iteration() {
            state.discriminatorUpdate(real: real)
            state.generatorUpdate(batch: batch)
        }
        iteration()
        let trafficBefore = Distributed.reduceTraffic
        var times: [Double] = []
        for _ in 0..<iters {
            let start = DispatchTime.now().uptimeNanoseconds
            iteration()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        let median = times[times.count / 2]
        var result: [String: Any] = ["engine": "ttur-text", "threads": threads, "size": size, "channels": channels,
                                     "width": width, "batch": batch, "median_s": median, "min_s": times.first!,
                                     "max_s": times.last!]
        if let peak = Diagnostics.peakResidentBytes() { result["peak_rss_bytes"] = peak }
        RankOptions.traffic(since: trafficBefore, iterations: iters, into: &result)
        guard Distributed.rank == 0 else { return }
        if let reference {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/dcgan_step_torch.py").path
            let output = try BenchChild.output(reference, [script, "--size", "\(size)", "--channels", "\(channels)",
                                                           "--width", "\(width)", "--batch", "\(batch)",
                                                           "--iters", "\(iters)", "--threads", "\(threads)"])
            guard let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
                  let torch = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ValidationError("\(script) printed no JSON result")
            }
            result["reference"] = torch
            if let torchMedian = torch["median_s"] as? Double { result["ratio_to_reference"] = median / torchMedian }
        }
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
        } else {
            for key in result.keys.sorted() { print("\(key.padding(toLength: 20, withPad: " ", startingAt: 0)) \(result[key]!)") }
        }
    }
}
