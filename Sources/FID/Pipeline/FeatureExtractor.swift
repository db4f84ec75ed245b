import Foundation
import ImageData
import Tensors

/// What turns images into features and statistics: Inception-v3 (`FeatureExtractor`, FID),
/// DINOv2 (`DINOv2FeatureExtractor`, FD-DINOv2). Its statistics' provenance names the
/// network, so statistics of two networks are never compared (`FIDJob.checkComparable`).
public protocol ImageFeatureExtractor {
    var dimensions: Int { get }
    /// The statistics of every image and, with `keepingFeatures`, the features themselves.
    func measure(_ images: ImageCollection, keepingFeatures: Bool, weightsSHA256: String?,
                 progress: ((Int, Int) -> Void)?) throws -> (statistics: FeatureStatistics, features: FeatureSet?)
}

/// Streams image collections through the FID network into statistics, batch by batch:
/// memory stays bounded by one batch whatever the number of images.
///
/// ```swift
/// let extractor = try FeatureExtractor(network: network, dimensions: 2048, batchSize: 50)
/// let statistics = try extractor.statistics(of: try ImageFolder(URL(fileURLWithPath: "samples/")))
/// ```
public struct FeatureExtractor: ImageFeatureExtractor {
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
            "preprocessing": Preprocessing.description(network.resize),
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
    public static func statistics(_ input: FIDInput, extractor: () throws -> any ImageFeatureExtractor,
                                  progress: ((Int, Int) -> Void)? = nil) throws -> FeatureStatistics {
        try measure(input, keepingFeatures: false, extractor: extractor, progress: progress).statistics
    }

    /// Statistics of one input and, with `keepingFeatures`, its features.
    /// - throws: `LocatedError` naming a statistics file when features are asked of it: an
    ///   `.npz` holds only the mean and covariance.
    public static func measure(_ input: FIDInput, keepingFeatures: Bool, extractor: () throws -> any ImageFeatureExtractor,
                               progress: ((Int, Int) -> Void)? = nil) throws -> (statistics: FeatureStatistics, features: FeatureSet?) {
        if keepingFeatures { try input.requireFeatures() }
        switch input {
        case let .statistics(url):
            return (try FeatureStatistics(contentsOf: url), nil)
        case let .images(images):
            return try extractor().measure(images, keepingFeatures: keepingFeatures, weightsSHA256: nil, progress: progress)
        }
    }

    /// Refuses to compare statistics made by different networks (Inception against DINOv2,
    /// or different blocks) or from differently resized images (pytorch-fid's against
    /// clean-fid's), as their provenance records them; files from other tools, which record
    /// none, are taken as they come.
    /// - throws: `LocatedError` naming both networks.
    public static func checkComparable(_ a: FeatureStatistics, _ b: FeatureStatistics, names: (String, String)) throws {
        for (key, what) in [("network", "networks"), ("preprocessing", "preprocessings")] {
            guard let first = a.provenance[key], let second = b.provenance[key], first != second else { continue }
            throw LocatedError("\(names.0) holds features of \(first), \(names.1) of \(second): statistics of different \(what) cannot be compared")
        }
    }

    /// The metrics `score` computes beside FID, on the same features.
    public struct Extras {
        /// KID's subset size and number of subsets.
        public var kid: (subsetSize: Int, subsets: Int)?
        public var precisionRecall = false
        public var densityCoverage = false
        /// CMMD (meaningful on CLIP embeddings).
        public var cmmd = false
        /// FD∞ of the first input against the second's statistics (which may be a file).
        public var fdInfinity = false

        public init() {}

        /// Whether both sides' features are needed.
        var needsBothFeatures: Bool { kid != nil || precisionRecall || densityCoverage || cmmd }
    }

    /// What `score` computed: FID, and the extras when asked for.
    public struct Scores {
        public let frechet: FrechetResult
        public let kid: KernelInceptionDistance?
        public let precisionRecall: PrecisionRecall?
        public let densityCoverage: DensityCoverage?
        public let cmmd: Double?
        public let fdInfinity: FDInfinity?
        /// Each side's sample count (unknown for statistics files written without one).
        public let sampleCounts: [Int?]
        public let dimensions: Int
    }

    /// FID (or FD on another network's features) between two inputs, and on the same features
    /// the extras (`first` taken as generated, `second` as real, as torch-fidelity's input1 and
    /// input2). The network is made at most once, when an input is images; statistics of two
    /// different networks are refused.
    /// - throws: `LocatedError` for a statistics file where features are needed (before any
    ///   image is read), unreadable inputs, mixed networks, or the distances' own errors.
    public static func score(_ first: FIDInput, _ second: FIDInput, extras: Extras, names: (String, String),
                             extractor makeExtractor: @escaping () throws -> any ImageFeatureExtractor,
                             progress: (first: ((Int, Int) -> Void)?, second: ((Int, Int) -> Void)?) = (nil, nil)) throws -> Scores {
        var extractor: (any ImageFeatureExtractor)?
        let made = {
            if let extractor { return extractor }
            let new = try makeExtractor()
            extractor = new
            return new
        }
        // A statistics file is refused before any image is read.
        if extras.needsBothFeatures { try [first, second].forEach { try $0.requireFeatures() } }
        if extras.fdInfinity { try first.requireFeatures() }
        let (a, featuresA) = try measure(first, keepingFeatures: extras.needsBothFeatures || extras.fdInfinity, extractor: made, progress: progress.first)
        let (b, featuresB) = try measure(second, keepingFeatures: extras.needsBothFeatures, extractor: made, progress: progress.second)
        try checkComparable(a, b, names: names)
        let frechet = try frechetDistance(a, b)
        let both = featuresA.flatMap { a in featuresB.map { (generated: a, real: $0) } }
        return Scores(
            frechet: frechet,
            kid: try extras.kid.flatMap { kid in try both.map { try kernelInceptionDistance($0.generated, $0.real, subsetSize: kid.subsetSize, subsets: kid.subsets) } },
            precisionRecall: try extras.precisionRecall ? both.map { try PrecisionRecall(real: $0.real, generated: $0.generated) } : nil,
            densityCoverage: try extras.densityCoverage ? both.map { try DensityCoverage(real: $0.real, generated: $0.generated) } : nil,
            cmmd: try extras.cmmd ? both.map { try CMMD.distance($0.generated, $0.real) } : nil,
            fdInfinity: try extras.fdInfinity ? featuresA.map { try FDInfinity(reference: b, generated: $0) } : nil,
            sampleCounts: [a.sampleCount, b.sampleCount], dimensions: a.dimensions)
    }
}
