import Basics
import FID
import Foundation
import Tensors

/// FID during training: the real data's feature statistics, computed once per (network,
/// dataset, sample count) and cached as `.npz`, against each evaluation's generated images.
public struct FIDMonitor {
    public let network: FIDFeatureNetwork
    public let real: FeatureStatistics
    /// The real images' features, kept when KID or precision/recall is asked for.
    public let realFeatures: FeatureSet?
    /// The real features' k-NN balls, when precision/recall is asked for.
    public let realManifold: FeatureManifold?

    /// Loads the real statistics (and features) from the cache or computes and caches them.
    ///
    /// - Parameters:
    ///   - realSamples: real images in the statistics (a seeded random subset when the
    ///     dataset has more).
    ///   - cacheDirectory: where `.npz` statistics (and `.npy` features) are kept (nil: not cached).
    ///   - keepingFeatures: keep the real features, for KID.
    ///   - precisionRecall: also the real features' k-NN balls (implies keeping the features).
    ///   - progress: called with (done, total) while computing.
    public init(network: FIDFeatureNetwork, data: TrainingImages, size: Int, realSamples: Int,
                cacheDirectory: URL?, keepingFeatures: Bool = false, precisionRecall: Bool = false,
                progress: ((Int, Int) -> Void)? = nil) throws {
        self.network = network
        let n = min(realSamples, data.count)
        let key = "\(network.identity)|\(data.name)|\(data.count)|\(n)|\(size)"
        let digest = SHA256.hash(data: Data(key.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        let cached = cacheDirectory?.appendingPathComponent("real-\(network.kind.rawValue)-\(digest).npz")
        let cachedFeatures = cacheDirectory?.appendingPathComponent("real-\(network.kind.rawValue)-\(digest)-features.npy")
        let keep = keepingFeatures || precisionRecall
        func finish(_ features: FeatureSet?) throws -> (FeatureSet?, FeatureManifold?) {
            (keep ? features : nil, precisionRecall ? try features.map { try FeatureManifold($0) } : nil)
        }
        if let cached, FileManager.default.fileExists(atPath: cached.path),
           let statistics = try? FeatureStatistics(contentsOf: cached),
           statistics.dimensions == network.dimensions, statistics.provenance["key"] == key {
            let features = keep ? cachedFeatures.flatMap { try? Self.readFeatures($0, count: n, dimensions: network.dimensions) } : nil
            if !keep || features != nil {
                real = statistics
                let (kept, manifold) = try finish(features)
                realFeatures = kept
                realManifold = manifold
                return
            }
        }
        var random = RandomSource(seed: 0x5EED_F1D)
        var indices = Array(0..<data.count)
        if n < data.count {
            for i in 0..<n { indices.swapAt(i, i + random.nextInt(below: data.count - i)) }
        }
        var accumulator = StatisticsAccumulator(dimensions: network.dimensions)
        var kept: [Float] = []
        for start in stride(from: 0, to: n, by: 500) {
            let chunk = Array(indices[start..<min(n, start + 500)])
            let features = network.features(data.batch(indices: chunk, size: size), count: chunk.count, size: size,
                                            channels: data.channels)
            features.withUnsafeBufferPointer { accumulator.add($0, rows: chunk.count) }
            if keep { kept += features }
            progress?(start + chunk.count, n)
        }
        real = accumulator.statistics(provenance: ["network": network.identity, "source": data.name, "key": key,
                                                   "producer": "ttur-text"])
        let features = keep ? try FeatureSet(kept, dimensions: network.dimensions, source: "\(data.name) (real features)") : nil
        let (keptFeatures, manifold) = try finish(features)
        realFeatures = keptFeatures
        realManifold = manifold
        if let cached {
            do {
                try FileManager.default.createDirectory(at: cached.deletingLastPathComponent(),
                                                        withIntermediateDirectories: true)
                try real.write(to: cached)
                if let features, let cachedFeatures {
                    let bytes = features.values.withUnsafeBytes { Data($0) }
                    try AtomicFile.write(NumpyArray(descr: "<f4", shape: [features.count, features.dimensions], data: bytes).npyData(),
                                         to: cachedFeatures)
                }
            } catch {
                throw ImageGANError("\(cached.path): cannot cache the real statistics: \(error)")
            }
        }
    }

    /// Cached real features, when the file holds `count × dimensions` float32.
    private static func readFeatures(_ url: URL, count: Int, dimensions: Int) throws -> FeatureSet? {
        let array = try NumpyArray(contentsOf: url)
        guard array.descr == "<f4", array.shape == [count, dimensions] else { return nil }
        return try FeatureSet(array.entry().floats(), dimensions: dimensions, source: url.path)
    }

    /// The FID of generated images [count, size, size, channels] in [−1, 1].
    public func score(_ images: [Float], count: Int, size: Int, channels: Int) throws -> Double {
        try scores(images, count: count, size: size, channels: channels).fid
    }

    /// FID, and KID over subsets of `kidSubsetSize` (torch-fidelity's 100 subsets, seed 2020,
    /// so the run's own random numbers are untouched) and precision/recall when the monitor
    /// keeps what they need, of generated images [count, size, size, channels] in [−1, 1].
    /// - throws: `LocatedError` for fewer images than a KID subset.
    public func scores(_ images: [Float], count: Int, size: Int, channels: Int,
                       kidSubsetSize: Int? = nil) throws -> FIDMonitorScores {
        var accumulator = StatisticsAccumulator(dimensions: network.dimensions)
        let features = network.features(images, count: count, size: size, channels: channels)
        features.withUnsafeBufferPointer { accumulator.add($0, rows: count) }
        var scores = FIDMonitorScores(fid: try frechetDistance(real, accumulator.statistics()).distance)
        guard kidSubsetSize != nil || realManifold != nil else { return scores }
        let generated = try FeatureSet(features, dimensions: network.dimensions, source: "generated images")
        if let kidSubsetSize, let realFeatures {
            scores.kid = try kernelInceptionDistance(generated, realFeatures, subsetSize: kidSubsetSize)
        }
        if let realManifold {
            scores.precisionRecall = try PrecisionRecall(real: realManifold, generated: FeatureManifold(generated))
        }
        return scores
    }

    /// `$XDG_CACHE_HOME/ttur-text/fid-statistics`, or `~/.cache/…`.
    public static var defaultCacheDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("ttur-text/fid-statistics")
    }
}

/// One evaluation's numbers from a `FIDMonitor`.
public struct FIDMonitorScores: Equatable, Sendable {
    public var fid: Double
    public var kid: KernelInceptionDistance?
    public var precisionRecall: PrecisionRecall?
}
