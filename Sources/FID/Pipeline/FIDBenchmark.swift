import Basics
import CBLAS
import Foundation

/// The measurements behind `ttur-text bench fid` (fid_torch.py bench's workload).
public enum FIDBenchmark {
    public struct Result {
        public let frechetSeconds: Double
        public let fid: Double
        public let imagesPerSecond: Double
        /// CPU seconds (all threads) per image in the timed passes: machine load does not inflate it.
        public let cpuSecondsPerImage: Double
    }

    /// Times one Fréchet distance on random `dimensions`-dimensional statistics and a forward
    /// pass of `batch` random 64×64 images (median of `repeats`, after a warm-up).
    public static func run(dimensions d: Int, batch: Int, repeats: Int) -> Result {
        var generator = RandomSource(seed: 0)
        // fid_torch.py: fa = N(0,1)^{3d×d}·mix, fb = N(0,1)^{3d×d}·(mix + 0.05·N/√d), mix = N/√d.
        let mix = (0 ..< d * d).map { _ in Float(generator.nextNormal() / Double(d).squareRoot()) }
        let perturbed = mix.map { $0 + Float(0.05 * generator.nextNormal() / Double(d).squareRoot()) }
        func statistics(_ mixing: [Float]) -> FeatureStatistics {
            let rows = 3 * d
            let noise = (0 ..< rows * d).map { _ in Float(generator.nextNormal()) }
            var features = [Float](repeating: 0, count: rows * d)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(d), 1, noise, Int32(d),
                        mixing, Int32(d), 0, &features, Int32(d))
            var accumulator = StatisticsAccumulator(dimensions: d)
            features.withUnsafeBufferPointer { accumulator.add($0, rows: rows) }
            return accumulator.statistics()
        }
        let a = statistics(mix), b = statistics(perturbed)
        var start = DispatchTime.now()
        let fid = (try? frechetDistance(a, b).distance) ?? .nan
        let frechetSeconds = seconds(since: start)

        let network = FIDInceptionV3.randomlyInitialised(seed: 0)
        let images = (0 ..< batch * 64 * 64 * 3).map { _ in UInt8(truncatingIfNeeded: generator.nextUInt64() >> 56) }
        var timings: [Double] = []
        var cpu = 0.0
        images.withUnsafeBufferPointer { pixels in
            _ = network.features(pixels, count: batch, height: 64, width: 64, blocks: [3])
            cpu = cpuSeconds()
            for _ in 0 ..< repeats {
                start = DispatchTime.now()
                _ = network.features(pixels, count: batch, height: 64, width: 64, blocks: [3])
                timings.append(seconds(since: start))
            }
        }
        cpu = cpuSeconds() - cpu
        let median = timings.sorted()[timings.count / 2]
        return Result(frechetSeconds: frechetSeconds, fid: fid, imagesPerSecond: Double(batch) / median,
                      cpuSecondsPerImage: cpu / Double(batch * repeats))
    }

    private static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
