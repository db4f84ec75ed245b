import Basics
import Foundation
import LanguageGAN
import Tensors
import TrainingRuns

/// `bench train-step`: full WGAN-GP iterations of the language GAN (the generator step, then
/// the critic steps with the gradient penalty, all on one real batch), timed as
/// `wgan_language_torch.py bench` times them.
public enum LanguageStepBench {
    public struct Settings {
        public var dim: Int, seq: Int, batch: Int, vocab: Int, criticIters: Int, iters: Int, threads: Int

        public init(dim: Int, seq: Int, batch: Int, vocab: Int, criticIters: Int, iters: Int, threads: Int) {
            (self.dim, self.seq, self.batch, self.vocab) = (dim, seq, batch, vocab)
            (self.criticIters, self.iters, self.threads) = (criticIters, iters, threads)
        }

        /// The same settings for `wgan_language_torch.py bench`.
        public var referenceArguments: [String] {
            ["bench", "--dim", "\(dim)", "--seq", "\(seq)", "--vocab", "\(vocab)", "--batch", "\(batch)",
             "--critic-iters", "\(criticIters)", "--iters", "\(iters)", "--threads", "\(threads)"]
        }
    }

    /// Times `iters` iterations after one warm-up, in `precision`, on this rank's share of
    /// the batch: the result fields (median, extremes, precision, GEMM rate against the peaks
    /// when `measurePeaks`, peak memory), the median, and the all-reduce traffic before the
    /// timed iterations.
    public static func measure(_ s: Settings, precision: Precision, measurePeaks: Bool) throws
        -> (result: [String: Any], median: Double, trafficBefore: (bytes: Int, seconds: Double, calls: Int)) {
        let shape = LanguageModelShape(dim: s.dim, sequenceLength: s.seq, vocabularySize: s.vocab)
        let state = LanguageGANState(shape: shape, learningRateGenerator: 1e-4, learningRateCritic: 3e-4,
                                     criticSteps: s.criticIters, seed: 0)
        var random = RandomSource(seed: 1)
        let ids = (0..<(s.batch * s.seq)).map { _ in random.nextInt(below: s.vocab) }
        let real = Tensor.oneHot(ids, shape: [s.batch, s.seq], depth: s.vocab).localRows()
        // Past iteration 0, so every timed iteration has its generator step; every critic
        // step on the same real batch.
        let (times, flopsPerIteration, trafficBefore) = try StepBenchReport.timed(s.iters, in: precision) {
            state.iteration(1, batch: s.batch) { real }
        }
        let median = times[times.count / 2]
        let peakMemory = Diagnostics.peakResidentBytes()
        var result: [String: Any] = [
            "engine": "ttur-text", "threads": s.threads, "dim": s.dim, "seq": s.seq, "vocab": s.vocab, "batch": s.batch,
            "critic_iters": s.criticIters, "median_s": median, "min_s": times.first!, "max_s": times.last!,
        ]
        result.merge(StepBenchReport.precisionFields(precision)) { $1 }
        result.merge(StepBenchReport.gemmFields(flopsPerIteration: flopsPerIteration, median: median,
                                                precision: precision, measurePeaks: measurePeaks)) { $1 }
        if let peakMemory { result["peak_rss_bytes"] = peakMemory }
        return (result, median, trafficBefore)
    }

    /// `wgan_language_torch.py` beside the checkout (`../shared/reference/`).
    public static var defaultScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/reference/wgan_language_torch.py").path
    }
}
