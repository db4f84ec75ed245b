import ArgumentParser
import Distributed
import Foundation
import LanguageGAN
import Layers
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
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Skip measuring the machine's sgemm peak (4096³).") var noPeak = false
    @Option(help: "A Python with torch: also run ../shared/reference/wgan_language_torch.py bench with the same settings and report the ratio.")
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
        let shape = LanguageModelShape(dim: dim, sequenceLength: seq, vocabularySize: vocab)
        let state = LanguageGANState(shape: shape, learningRateGenerator: 1e-4, learningRateCritic: 3e-4, seed: 0)
        var random = RandomSource(seed: 1)
        let ids = (0..<(batch * seq)).map { _ in random.nextInt(below: vocab) }
        let real = Tensor.oneHot(ids, shape: [batch, seq], depth: vocab).localRows()

        func iteration() {
            state.generatorUpdate(batch: batch)
            for _ in 0..<criticIters { state.criticUpdate(real: real) }
        }
        iteration()  // warm-up: first-touch of buffers, OpenBLAS thread start
        let flopsBefore = Engine.gemmFloatingPointOperations
        let trafficBefore = Distributed.reduceTraffic
        var times: [Double] = []
        for _ in 0..<iters {
            let start = DispatchTime.now().uptimeNanoseconds
            iteration()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let flopsPerIteration = Double(Engine.gemmFloatingPointOperations - flopsBefore) / Double(iters)
        times.sort()
        let median = times[times.count / 2]
        let peakMemory = Diagnostics.peakResidentBytes()
        let peak = noPeak ? nil : Diagnostics.sgemmPeak()

        var result: [String: Any] = [
            "engine": "ttur-text", "threads": threads, "dim": dim, "seq": seq, "vocab": vocab, "batch": batch,
            "critic_iters": criticIters, "median_s": median, "min_s": times.first!, "max_s": times.last!,
            "gemm_gflop_per_iteration": flopsPerIteration / 1e9, "gflops": flopsPerIteration / median / 1e9,
        ]
        if let peakMemory { result["peak_rss_bytes"] = peakMemory }
        RankOptions.traffic(since: trafficBefore, iterations: iters, into: &result)
        guard Distributed.rank == 0 else { return }
        if let peak {
            result["sgemm_peak_gflops"] = peak
            result["fraction_of_peak"] = flopsPerIteration / median / 1e9 / peak
        }
        if let reference {
            let torch = try runReference(python: reference)
            result["reference"] = torch
            if let torchMedian = torch["median_s"] as? Double { result["ratio_to_reference"] = median / torchMedian }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for key in result.keys.sorted() { print("\(key.padding(toLength: 26, withPad: " ", startingAt: 0)) \(result[key]!)") }
        }
    }

    private func runReference(python: String) throws -> [String: Any] {
        let script = referenceScript ?? URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/reference/wgan_language_torch.py").path
        guard FileManager.default.fileExists(atPath: script) else {
            throw ValidationError("reference script \(script) not found (use --reference-script)")
        }
        let output = try BenchChild.output(python, [
            script, "bench", "--dim", "\(dim)", "--seq", "\(seq)", "--vocab", "\(vocab)", "--batch", "\(batch)",
            "--critic-iters", "\(criticIters)", "--iters", "\(iters)", "--threads", "\(threads)"])
        guard let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ValidationError("reference \(python) \(script) printed no JSON result")
        }
        return object
    }
}
