import Basics
import FID
import Foundation
import Tensors

/// FID during training: the real data's feature statistics, computed once per (network,
/// dataset, sample count) and cached as `.npz`, against each evaluation's generated images.
public struct FIDMonitor {
    public let network: FIDFeatureNetwork
    public let real: FeatureStatistics

    /// Loads the real statistics from the cache or computes and caches them.
    ///
    /// - Parameters:
    ///   - realSamples: real images in the statistics (a seeded random subset when the
    ///     dataset has more).
    ///   - cacheDirectory: where `.npz` statistics are kept (nil: not cached).
    ///   - progress: called with (done, total) while computing.
    public init(network: FIDFeatureNetwork, data: TrainingImages, size: Int, realSamples: Int,
                cacheDirectory: URL?, progress: ((Int, Int) -> Void)? = nil) throws {
        self.network = network
        let n = min(realSamples, data.count)
        let key = "\(network.identity)|\(data.name)|\(data.count)|\(n)|\(size)"
        let digest = SHA256.hash(data: Data(key.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        let cached = cacheDirectory?.appendingPathComponent("real-\(network.kind.rawValue)-\(digest).npz")
        if let cached, FileManager.default.fileExists(atPath: cached.path),
           let statistics = try? FeatureStatistics(contentsOf: cached),
           statistics.dimensions == network.dimensions, statistics.provenance["key"] == key {
            real = statistics
            return
        }
        var random = RandomSource(seed: 0x5EED_F1D)
        var indices = Array(0..<data.count)
        if n < data.count {
            for i in 0..<n { indices.swapAt(i, i + random.nextInt(below: data.count - i)) }
        }
        var accumulator = StatisticsAccumulator(dimensions: network.dimensions)
        for start in stride(from: 0, to: n, by: 500) {
            let chunk = Array(indices[start..<min(n, start + 500)])
            let features = network.features(data.batch(indices: chunk, size: size), count: chunk.count, size: size,
                                            channels: data.channels)
            features.withUnsafeBufferPointer { accumulator.add($0, rows: chunk.count) }
            progress?(start + chunk.count, n)
        }
        real = accumulator.statistics(provenance: ["network": network.identity, "source": data.name, "key": key,
                                                   "producer": "ttur-text"])
        if let cached {
            do {
                try FileManager.default.createDirectory(at: cached.deletingLastPathComponent(),
                                                        withIntermediateDirectories: true)
                try real.write(to: cached)
            } catch {
                throw ImageGANError("\(cached.path): cannot cache the real statistics: \(error)")
            }
        }
    }

    /// The FID of generated images [count, size, size, channels] in [−1, 1].
    public func score(_ images: [Float], count: Int, size: Int, channels: Int) throws -> Double {
        var accumulator = StatisticsAccumulator(dimensions: network.dimensions)
        let features = network.features(images, count: count, size: size, channels: channels)
        features.withUnsafeBufferPointer { accumulator.add($0, rows: count) }
        return try frechetDistance(real, accumulator.statistics()).distance
    }

    /// `$XDG_CACHE_HOME/ttur-text/fid-statistics`, or `~/.cache/…`.
    public static var defaultCacheDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("ttur-text/fid-statistics")
    }
}
