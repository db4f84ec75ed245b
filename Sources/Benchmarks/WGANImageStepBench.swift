import Corpus
import Foundation
import ImageGAN
import Tensors
import TrainingRuns

/// `bench image-step --model wgan-gp`: WGAN-GP image iterations (a generator step, then the
/// critic steps with their gradient penalty), beside `wgan_image_torch.py bench` in fp32 and
/// under bf16 autocast when a Python with torch is given.
public enum WGANImageStepBench {
    public struct Settings {
        public var size: Int, channels: Int, dim: Int, batch: Int, criticIters: Int, iters: Int, threads: Int

        public init(size: Int, channels: Int, dim: Int, batch: Int, criticIters: Int, iters: Int, threads: Int) {
            (self.size, self.channels, self.dim, self.batch) = (size, channels, dim, batch)
            (self.criticIters, self.iters, self.threads) = (criticIters, iters, threads)
        }
    }

    public static func measure(_ s: Settings) -> [String: Any] {
        let shape = ResidualImageShape(imageSize: s.size, channels: s.channels, dim: s.dim)
        let gan = WGANImageGAN(shape: shape, criticLearningRate: 3e-4, generatorLearningRate: 1e-4,
                               criticSteps: s.criticIters, seed: 0)
        var random = RandomSource(seed: 1)
        let real = Tensor.randomUniform([s.batch, s.size, s.size, s.channels], low: -1, high: 1, using: &random)
        var index = 1  // past iteration 0, so every timed iteration has its generator step
        func iteration() {
            gan.iteration(index, batch: real.shape[0] * Collectives.current.size) { real }
            index += 1
        }
        iteration()
        var times: [Double] = []
        for _ in 0..<s.iters {
            let start = DispatchTime.now().uptimeNanoseconds
            iteration()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        var result: [String: Any] = ["engine": "ttur-text", "model": "wgan-gp", "threads": s.threads, "size": s.size,
                                     "channels": s.channels, "dim": s.dim, "batch": s.batch,
                                     "critic_iters": s.criticIters, "median_s": times[times.count / 2],
                                     "min_s": times.first!, "max_s": times.last!]
        if let peak = Diagnostics.peakResidentBytes() { result["peak_rss_bytes"] = peak }
        return result
    }

    /// `wgan_image_torch.py bench` with the same settings, once per autocast mode.
    public static func reference(python: String, script: String, _ s: Settings) throws -> [String: Any] {
        var results: [String: Any] = [:]
        for autocast in ["none", "bf16"] {
            results[autocast == "none" ? "fp32" : "bf16"] = try BenchChild.lastJSONLine(python, [
                script, "bench", "--size", "\(s.size)", "--channels", "\(s.channels)", "--dim", "\(s.dim)",
                "--batch", "\(s.batch)", "--critic-iters", "\(s.criticIters)", "--iters", "\(s.iters)",
                "--threads", "\(s.threads)", "--autocast", autocast])
        }
        return results
    }

    public static var defaultScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/reference/wgan_image_torch.py").path
    }
}

