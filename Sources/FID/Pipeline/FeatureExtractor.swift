import Foundation
import ImageData
import Tensors

/// Streams image collections through the FID network into statistics, batch by batch:
/// memory stays bounded by one batch whatever the number of images.
///
/// ```swift
/// let extractor = try FeatureExtractor(network: network, dimensions: 2048, batchSize: 50)
/// let statistics = try extractor.statistics(of: try ImageFolder(URL(fileURLWithPath: "samples/")))
/// ```
public struct FeatureExtractor {
    public let network: FIDInceptionV3
    public let dimensions: Int
    public let batchSize: Int
    let block: Int

    /// - throws: `LocatedError` unless `dimensions` is one of 64, 192, 768, 2048 and the batch ≥ 1.
    public init(network: FIDInceptionV3, dimensions: Int = 2048, batchSize: Int = 50) throws {
        guard let block = FIDInceptionV3.block(forDimensions: dimensions) else {
            throw LocatedError("--dims must be one of \(FIDInceptionV3.blockDimensions.map(String.init).joined(separator: ", ")), not \(dimensions)")
        }
        guard batchSize >= 1 else { throw LocatedError("the batch size must be at least 1") }
        self.network = network
        self.dimensions = dimensions
        self.batchSize = batchSize
        self.block = block
    }

    /// Features of images `range` of `images`, `[range.count × dimensions]`, in batches.
    public func features(of images: ImageCollection, range: Range<Int>) throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(range.count * dimensions)
        try forEachBatch(of: images, range: range) { batch, _ in out += batch }
        return out
    }

    /// Mean and covariance of the features of every image, with provenance.
    /// `progress(done, total)` is called after each batch.
    public func statistics(of images: ImageCollection, weightsSHA256: String? = nil,
                           progress: ((Int, Int) -> Void)? = nil) throws -> FeatureStatistics {
        try measure(images, keepingFeatures: false, weightsSHA256: weightsSHA256, progress: progress).statistics
    }

    /// The statistics of every image and, with `keepingFeatures`, the features themselves
    /// (for KID and precision/recall; `count × dimensions` floats in memory), in one pass.
    public func measure(_ images: ImageCollection, keepingFeatures: Bool, weightsSHA256: String? = nil,
                        progress: ((Int, Int) -> Void)? = nil) throws -> (statistics: FeatureStatistics, features: FeatureSet?) {
        var accumulator = StatisticsAccumulator(dimensions: dimensions)
        var kept: [Float] = []
        if keepingFeatures { kept.reserveCapacity(images.count * dimensions) }
        try forEachBatch(of: images, range: 0..<images.count) { batch, done in
            batch.withUnsafeBufferPointer { accumulator.add($0, rows: batch.count / dimensions) }
            if keepingFeatures { kept += batch }
            progress?(done, images.count)
        }
        var provenance = [
            "preprocessing": Preprocessing.description,
            "network": "pytorch-fid FID Inception-v3, block \(block) (\(dimensions) features)",
            "source": images.source,
            "producer": "ttur-text",
        ]
        if let digest = weightsSHA256 ?? network.weightsSHA256 { provenance["weights_sha256"] = digest }
        return (accumulator.statistics(provenance: provenance),
                keepingFeatures ? try FeatureSet(kept, dimensions: dimensions, source: images.source) : nil)
    }

    private func forEachBatch(of images: ImageCollection, range: Range<Int>, _ body: ([Float], Int) throws -> Void) throws {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + batchSize, range.upperBound)
            let batch = try (start..<end).map { try images.image(at: $0) }
            try body(network.features(batch, blocks: [block])[block]!, end - range.lowerBound)
            start = end
        }
    }
}

/// One side of an FID comparison: precomputed statistics or images to run through the network.
public enum FIDInput {
    case statistics(URL)
    case images(ImageCollection)

    /// `.npz` → statistics, `.npy` → a uint8 image array, a directory → its PNG/JPEG files.
    /// - throws: `LocatedError` for a missing path or an unknown kind of file, `LocatedError` for
    ///   a folder without images.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LocatedError(file: path, "no such file or folder")
        }
        if isDirectory.boolValue {
            self = .images(try ImageFolder(url))
        } else if url.pathExtension.lowercased() == "npz" {
            self = .statistics(url)
        } else if url.pathExtension.lowercased() == "npy" {
            self = .images(try NumpyImages(url))
        } else {
            throw LocatedError(file: path, "expected an image folder, a .npy uint8 array [N, H, W, 3] or .npz statistics")
        }
    }

    public var needsNetwork: Bool {
        if case .images = self { return true }
        return false
    }

    /// - throws: `LocatedError` naming a statistics file: an `.npz` holds only the mean and
    ///   covariance, no features for KID or precision/recall.
    public func requireFeatures() throws {
        if case let .statistics(url) = self {
            throw LocatedError(file: url.path, "a statistics file holds only the mean and covariance: KID, precision/recall, density/coverage and the generated side of FD∞ need images (a folder or .npy)")
        }
    }
}

/// The whole `ttur-text fid` job: statistics for each side (computed or loaded), then the distance.
public enum FIDJob {
    /// torch hub's cache path for pytorch-fid's weights, used when `--weights` is not given.
    public static var defaultWeightsURL: URL {
        let home = ProcessInfo.processInfo.environment["TORCH_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache/torch")
        return home.appendingPathComponent("hub/checkpoints/pt_inception-2015-12-05-6726825d.pth")
    }

    /// Loads the network from `weights` (or the torch hub cache).
    /// - throws: `LocatedError` saying where the weights were looked for.
    public static func network(weights: String?) throws -> FIDInceptionV3 {
        let url = weights.map { URL(fileURLWithPath: $0) } ?? defaultWeightsURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw LocatedError(file: url.path, "no Inception weights: pass --weights pt_inception-2015-12-05-6726825d.pth (pytorch-fid's released file)")
        }
        return try FIDInceptionV3(weights: url)
    }

    /// Statistics of one input: read from `.npz` or computed by `extractor`.
    public static func statistics(_ input: FIDInput, extractor: () throws -> FeatureExtractor,
                                  progress: ((Int, Int) -> Void)? = nil) throws -> FeatureStatistics {
        try measure(input, keepingFeatures: false, extractor: extractor, progress: progress).statistics
    }

    /// Statistics of one input and, with `keepingFeatures`, its features.
    /// - throws: `LocatedError` naming a statistics file when features are asked of it: an
    ///   `.npz` holds only the mean and covariance.
    public static func measure(_ input: FIDInput, keepingFeatures: Bool, extractor: () throws -> FeatureExtractor,
                               progress: ((Int, Int) -> Void)? = nil) throws -> (statistics: FeatureStatistics, features: FeatureSet?) {
        if keepingFeatures { try input.requireFeatures() }
        switch input {
        case let .statistics(url):
            return (try FeatureStatistics(contentsOf: url), nil)
        case let .images(images):
            return try extractor().measure(images, keepingFeatures: keepingFeatures, progress: progress)
        }
    }
}
