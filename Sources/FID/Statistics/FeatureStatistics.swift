import CBLAS
import Foundation
import Tensors

/// Mean and covariance of a feature set in float64: what the Fréchet distance compares.
///
/// Saved as a TTUR-format `.npz` (`mu`, `sigma`, float64) that numpy and pytorch-fid read;
/// ttur-text adds `n_samples`, `dims`, `provenance` (a JSON string) and `data_sha256` (the
/// other arrays' digest, checked when read back) beside them.
public struct FeatureStatistics: Equatable {
    public var mean: [Double]
    /// Row-major `dimensions × dimensions`, symmetric.
    public var covariance: [Double]
    /// Number of feature vectors, when known (files from other tools do not record it).
    public var sampleCount: Int?
    /// Free-form provenance: preprocessing, weights SHA-256, …
    public var provenance: [String: String]

    public var dimensions: Int { mean.count }

    public init(mean: [Double], covariance: [Double], sampleCount: Int?, provenance: [String: String] = [:]) {
        precondition(covariance.count == mean.count * mean.count, "covariance must be \(mean.count)²")
        self.mean = mean
        self.covariance = covariance
        self.sampleCount = sampleCount
        self.provenance = provenance
    }

    /// Reads `mu` and `sigma` (and ttur-text's provenance when present) from an `.npz`.
    /// - throws: `LocatedError` naming the file when `mu`/`sigma` are missing or mis-shaped.
    public init(contentsOf url: URL) throws {
        let arrays = try NumpyArchive.read(url)
        try NumpyArchive.verify(arrays, from: url)
        guard let mu = arrays["mu"], let sigma = arrays["sigma"] else {
            throw LocatedError(file: url.path, "an FID statistics file needs arrays mu and sigma (has \(arrays.keys.sorted()))")
        }
        let mean = try mu.entry().doubles()
        guard mu.shape.count == 1, sigma.shape == [mean.count, mean.count] else {
            throw LocatedError(file: url.path, "mu \(mu.shape) and sigma \(sigma.shape) do not match (expected [d] and [d, d])")
        }
        var count: Int?
        if let samples = arrays["n_samples"], let value = try? samples.entry().integers().first { count = Int(value) }
        var provenance: [String: String] = [:]
        if let text = try? arrays["provenance"]?.string(),
           let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] {
            provenance = object
        }
        self.init(mean: mean, covariance: try sigma.entry().doubles(), sampleCount: count, provenance: provenance)
    }

    /// Writes the TTUR-format `.npz` atomically.
    public func write(to url: URL) throws {
        let d = dimensions
        var arrays: [String: NumpyArray] = [
            "mu": NumpyArray(SafeTensorsEntry(doubles: mean, shape: [d])),
            "sigma": NumpyArray(SafeTensorsEntry(doubles: covariance, shape: [d, d])),
            "dims": NumpyArray(descr: "<i8", shape: [], data: withUnsafeBytes(of: Int64(d).littleEndian) { Data($0) }),
        ]
        if let sampleCount {
            arrays["n_samples"] = NumpyArray(descr: "<i8", shape: [], data: withUnsafeBytes(of: Int64(sampleCount).littleEndian) { Data($0) })
        }
        if !provenance.isEmpty {
            let json = try JSONSerialization.data(withJSONObject: provenance, options: [.sortedKeys, .withoutEscapingSlashes])
            arrays["provenance"] = NumpyArray(string: String(decoding: json, as: UTF8.self))
        }
        arrays[NumpyArchive.checksumName] = NumpyArray(string: NumpyArchive.digest(of: arrays))
        try NumpyArchive.write(arrays, to: url)
    }
}

/// Streaming mean and covariance in float64, batch by batch, in bounded memory.
///
/// Batches are merged with the pairwise update of Chan, Golub & LeVeque (1979): each batch's
/// own mean and centred scatter (a `dsyrk`), then the exact merge
/// M₂ ← M₂ + M₂ᵇ + δδᵀ·n·m/(n+m). The result does not depend on batch size or order beyond
/// float64 rounding.
///
/// ```swift
/// var accumulator = StatisticsAccumulator(dimensions: 2048)
/// features.withUnsafeBufferPointer { accumulator.add($0, rows: 50) }
/// let statistics = accumulator.statistics()
/// ```
public struct StatisticsAccumulator {
    public let dimensions: Int
    public private(set) var count = 0
    private var mean: [Double]
    /// Upper triangle (column-major view) of the centred scatter matrix.
    private var scatter: [Double]

    public init(dimensions: Int) {
        precondition(dimensions > 0)
        self.dimensions = dimensions
        mean = [Double](repeating: 0, count: dimensions)
        scatter = [Double](repeating: 0, count: dimensions * dimensions)
    }

    /// Adds `rows` feature vectors stored row-major in `features` (`rows × dimensions`).
    public mutating func add(_ features: UnsafeBufferPointer<Float>, rows: Int) {
        precondition(features.count >= rows * dimensions, "\(features.count) values for \(rows) × \(dimensions)")
        guard rows > 0 else { return }
        let d = dimensions
        var centred = [Double](repeating: 0, count: rows * d)
        var batchMean = [Double](repeating: 0, count: d)
        for row in 0..<rows {
            for column in 0..<d { batchMean[column] += Double(features[row * d + column]) }
        }
        for column in 0..<d { batchMean[column] /= Double(rows) }
        for row in 0..<rows {
            for column in 0..<d { centred[row * d + column] = Double(features[row * d + column]) - batchMean[column] }
        }
        // Row-major rows × d is column-major d × rows: scatter += C Cᵀ in that view.
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, Int32(d), Int32(rows), 1,
                    centred, Int32(d), 1, &scatter, Int32(d))
        let n = Double(count), m = Double(rows)
        var delta = zip(batchMean, mean).map { $0 - $1 }
        if count > 0 {
            cblas_dsyr(CblasColMajor, CblasUpper, Int32(d), n * m / (n + m), &delta, 1, &scatter, Int32(d))
        }
        for column in 0..<d { mean[column] += delta[column] * m / (n + m) }
        count += rows
    }

    /// The mean and unbiased covariance (divided by n − 1, as `numpy.cov`).
    public func statistics(provenance: [String: String] = [:]) -> FeatureStatistics {
        let d = dimensions
        var covariance = [Double](repeating: 0, count: d * d)
        let scale = count > 1 ? 1 / Double(count - 1) : 0
        for column in 0..<d {
            for row in 0...column {
                let value = scatter[column * d + row] * scale
                covariance[row * d + column] = value
                covariance[column * d + row] = value
            }
        }
        return FeatureStatistics(mean: mean, covariance: covariance, sampleCount: count, provenance: provenance)
    }
}
