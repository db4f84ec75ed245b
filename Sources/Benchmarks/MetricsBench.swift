import Basics
import FID
import Foundation

/// `bench metrics`: KID and improved precision/recall at the sizes of an Inception evaluation,
/// on seeded random features.
public enum MetricsBench {
    /// Times KID (100 subsets of 1,000) and precision/recall (k = 3) on `generated` and `real`
    /// random feature vectors of `dimensions`, reporting a line for each.
    public static func run(dimensions: Int, generated: Int, real: Int, report: ProgressReporter) throws {
        var random = RandomSource(seed: 1)
        func features(_ count: Int, shift: Double) throws -> FeatureSet {
            try FeatureSet((0..<(count * dimensions)).map { _ in Float(abs(random.nextNormal() + shift)) },
                           dimensions: dimensions, source: "random")
        }
        let fake = try features(generated, shift: 0.1), truth = try features(real, shift: 0)
        var start = Date()
        let kid = try kernelInceptionDistance(fake, truth)
        report.report(String(format: "KID, 100 subsets of 1000, %d features: %.1f s (%.6f ± %.6f)", dimensions,
                             Date().timeIntervalSince(start), kid.mean, kid.standardDeviation))
        start = Date()
        let pr = try PrecisionRecall(real: truth, generated: fake)
        report.report(String(format: "precision/recall, %d real, %d generated, %d features: %.1f s (%.4f, %.4f)", real, generated,
                             dimensions, Date().timeIntervalSince(start), pr.precision, pr.recall))
    }
}

/// `bench fid`'s PyTorch side: `fid_torch.py bench` with the same sizes.
public enum FIDReferenceBench {
    /// The reference's Fréchet seconds, FID and Inception images per second.
    /// - throws: `LocatedError` when it fails or prints no JSON result.
    public static func run(python: String, script: String, threads: Int, batch: Int, dims: Int) throws
        -> (frechetSeconds: Double, fid: Double, imagesPerSecond: Double) {
        let object = try BenchChild.lastJSONLine(python, [script, "bench", "--threads", "\(threads)", "--batch", "\(batch)",
                                                          "--dims", "\(dims)"])
        guard let frechet = object["frechet_s"] as? Double, let images = object["inception_images_per_s"] as? Double else {
            throw LocatedError(file: python, "the reference (\(script) bench) printed no frechet_s and inception_images_per_s")
        }
        return (frechet, object["fid"] as? Double ?? .nan, images)
    }
}
