import Basics
import Foundation
import ImageGAN
import Tensors
import TrainingRuns

/// `bench image-step` (DCGAN): full iterations, a discriminator step on a real and a
/// generated batch then a generator step, beside `scripts/dcgan_step_torch.py`.
public enum DCGANStepBench {
    public struct Settings {
        public var size: Int, channels: Int, width: Int, batch: Int, iters: Int, threads: Int

        public init(size: Int, channels: Int, width: Int, batch: Int, iters: Int, threads: Int) {
            (self.size, self.channels, self.width, self.batch, self.iters, self.threads) = (size, channels, width, batch, iters, threads)
        }

        /// The same settings for `scripts/dcgan_step_torch.py`.
        public var referenceArguments: [String] {
            ["--size", "\(size)", "--channels", "\(channels)", "--width", "\(width)", "--batch", "\(batch)",
             "--iters", "\(iters)", "--threads", "\(threads)"]
        }
    }

    /// Times `iters` iterations after one warm-up, in `precision`, on this rank's share of the
    /// batch: the result fields, the median, and the all-reduce traffic before the timed ones.
    public static func measure(_ s: Settings, precision: Precision, measurePeaks: Bool) throws
        -> (result: [String: Any], median: Double, trafficBefore: (bytes: Int, seconds: Double, calls: Int)) {
        var c = DCGANSettings()
        c.model = DCGANShape(imageSize: s.size, channels: s.channels, generatorWidth: s.width, discriminatorWidth: s.width)
        let state = DCGANState(configuration: DCGANConfiguration(run: RunSettings(), gan: ImageGANSettings(network: c)))
        var random = RandomSource(seed: 1)
        let real = Tensor.randomUniform([s.batch, s.size, s.size, s.channels], low: -1, high: 1, using: &random).localRows()
        let (times, flopsPerIteration, trafficBefore) = try StepBenchReport.timed(s.iters, in: precision) {
            state.discriminatorUpdate(real: real)
            state.generatorUpdate(batch: s.batch)
        }
        let median = times[times.count / 2]
        var result: [String: Any] = ["engine": "ttur-text", "threads": s.threads, "size": s.size, "channels": s.channels,
                                     "width": s.width, "batch": s.batch, "median_s": median, "min_s": times.first!,
                                     "max_s": times.last!]
        result.merge(StepBenchReport.precisionFields(precision)) { $1 }
        result.merge(StepBenchReport.gemmFields(flopsPerIteration: flopsPerIteration, median: median,
                                                precision: precision, measurePeaks: measurePeaks)) { $1 }
        if let peak = Diagnostics.peakResidentBytes() { result["peak_rss_bytes"] = peak }
        return (result, median, trafficBefore)
    }

    /// `scripts/dcgan_step_torch.py` in the checkout.
    public static var defaultScript: String { BenchScripts.path("dcgan_step_torch.py") }
}
