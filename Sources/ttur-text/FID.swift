import ArgumentParser
import FID
import Foundation
import Tensors

struct FIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fid",
        abstract: "Fréchet Inception Distance between two image sets or statistics files.",
        discussion: """
            Inputs are image folders (PNG/JPEG), .npy uint8 arrays [N, H, W, 3] or .npz \
            statistics (mu, sigma: the TTUR format). Images go through pytorch-fid's FID \
            Inception-v3 with its released weights (pt_inception-2015-12-05-6726825d.pth). \
            --kid adds the Kernel Inception Distance, --pr improved precision and recall, --dc \
            density and coverage, and --fd-infinity FD∞ on the same features (images only for A, \
            and for B except with --fd-infinity: statistics files hold no features).
            """,
        subcommands: [FIDScore.self, FIDStats.self],
        defaultSubcommand: FIDScore.self
    )
}

/// Options shared by the subcommands that run the network.
struct FIDNetworkOptions: ParsableArguments {
    @Option(help: "pytorch-fid's weights (.pth); default: torch hub's cache, ~/.cache/torch/hub/checkpoints/pt_inception-2015-12-05-6726825d.pth.")
    var weights: String?

    @Option(help: "Feature block: 64, 192, 768 or 2048 (pool3).")
    var dims: Int = 2048

    @Option(help: "Images per forward pass.")
    var batch: Int = 50

    @Option(help: "Threads (default: one per core, at most 8).")
    var threads: Int = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    func validate() throws {
        guard [64, 192, 768, 2048].contains(dims) else { throw ValidationError("--dims must be 64, 192, 768 or 2048") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// The feature extractor these options describe, with the engine's threads set.
    func extractor() throws -> FeatureExtractor {
        Engine.setThreads(threads)
        return try FeatureExtractor(network: try FIDJob.network(weights: weights), dimensions: dims, batchSize: batch)
    }
}

/// Progress on stderr: one rewritten line on a terminal, otherwise a plain line about every
/// tenth of the way.
func fidProgress(_ label: String) -> (Int, Int) -> Void {
    let terminal = isatty(STDERR_FILENO) != 0
    var reported = 0
    return { done, total in
        if terminal {
            FileHandle.standardError.write(Data("\r\(label): \(done)/\(total) images\(done == total ? "\n" : "")".utf8))
        } else if done == total || done * 10 / max(total, 1) > reported {
            reported = done * 10 / max(total, 1)
            FileHandle.standardError.write(Data("\(label): \(done)/\(total) images\n".utf8))
        }
    }
}

struct FIDScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "FID between A and B (the default: `ttur-text fid A B`)."
    )

    @Argument(help: "Image folder, .npy array or .npz statistics.")
    var first: String

    @Argument(help: "Image folder, .npy array or .npz statistics.")
    var second: String

    @OptionGroup var network: FIDNetworkOptions

    @Flag(help: "Print {\"fid\": value, …} instead of plain lines.")
    var json = false

    @Flag(help: "Also the Kernel Inception Distance: torch-fidelity's unbiased MMD² with the kernel (xᵀy/d + 1)³, mean and standard deviation over random subsets.")
    var kid = false

    @Option(help: "Features of each set in a KID subset (torch-fidelity's default).")
    var kidSubsetSize = KernelInceptionDistance.defaultSubsetSize

    @Option(help: "KID subsets.")
    var kidSubsets = KernelInceptionDistance.defaultSubsets

    @Flag(help: "Also improved precision and recall (Kynkäänniemi et al. 2019, k = 3), A taken as generated and B as real, as torch-fidelity's input1 and input2.")
    var pr = false

    @Flag(help: "Also density and coverage (Naeem et al. 2020, k = 5, as the prdc package computes them), A taken as generated and B as real.")
    var dc = false

    @Flag(help: "Also FD∞ (Chong & Forsyth 2020, as dgm-eval computes it): the FID of 15 subsets of A against all of B, extrapolated linearly in 1/N to infinitely many samples (subsets drawn with seed 0).")
    var fdInfinity = false

    func validate() throws {
        if kidSubsetSize < 2 || kidSubsets < 1 { throw ValidationError("--kid-subset-size must be at least 2 and --kid-subsets at least 1") }
    }

    func run() throws {
        let inputs = (try FIDInput(path: first), try FIDInput(path: second))
        let keep = kid || pr || dc
        var extractor: FeatureExtractor?
        let makeExtractor = {
            if let extractor { return extractor }
            let made = try network.extractor()
            extractor = made
            return made
        }
        // A statistics file is refused before any image is read.
        if keep { try [inputs.0, inputs.1].forEach { try $0.requireFeatures() } }
        if fdInfinity { try inputs.0.requireFeatures() }
        let (a, featuresA) = try FIDJob.measure(inputs.0, keepingFeatures: keep || fdInfinity, extractor: makeExtractor, progress: fidProgress(first))
        let (b, featuresB) = try FIDJob.measure(inputs.1, keepingFeatures: keep, extractor: makeExtractor, progress: fidProgress(second))
        let result = try frechetDistance(a, b)
        let kidResult = try featuresA.flatMap { a in
            try kid ? kernelInceptionDistance(a, featuresB!, subsetSize: kidSubsetSize, subsets: kidSubsets) : nil
        }
        let prResult = try featuresA.flatMap { a in try pr ? PrecisionRecall(real: featuresB!, generated: a) : nil }
        let dcResult = try featuresA.flatMap { a in try dc ? DensityCoverage(real: featuresB!, generated: a) : nil }
        let fdInfinityResult = try featuresA.flatMap { features in try fdInfinity ? FDInfinity(reference: b, generated: features) : nil }
        let counts = [a.sampleCount, b.sampleCount]
        for warning in result.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if json {
            var object: [String: Any] = [
                "fid": result.distance,
                "samples": counts.map { $0.map { $0 as Any } ?? NSNull() },
                "dims": a.dimensions,
                "warnings": result.warnings,
            ]
            if let kidResult {
                object["kid"] = ["mean": kidResult.mean, "std": kidResult.standardDeviation,
                                 "subset_size": kidResult.subsetSize, "subsets": kidResult.subsetValues.count]
            }
            if let prResult { (object["precision"], object["recall"]) = (prResult.precision, prResult.recall) }
            if let dcResult { (object["density"], object["coverage"]) = (dcResult.density, dcResult.coverage) }
            if let fdInfinityResult { (object["fd_infinity"], object["fd_infinity_slope"]) = (fdInfinityResult.value, fdInfinityResult.slope) }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("FID: \(result.distance)")
            if let kidResult {
                print("KID: \(kidResult.mean) ± \(kidResult.standardDeviation) (\(kidResult.subsetValues.count) subsets of \(kidResult.subsetSize))")
            }
            if let prResult {
                print("precision: \(prResult.precision) (\(first) in \(second)'s k-NN balls), recall: \(prResult.recall) (k = \(prResult.neighbourhood))")
            }
            if let dcResult {
                print("density: \(dcResult.density), coverage: \(dcResult.coverage) (k = \(dcResult.neighbourhood))")
            }
            if let fdInfinityResult {
                print("FD∞: \(fdInfinityResult.value) (slope \(fdInfinityResult.slope) per 1/N over \(fdInfinityResult.points.map { String($0.size) }.joined(separator: ", ")) samples)")
            }
            print("samples: \(counts.map { $0.map(String.init) ?? "unknown" }.joined(separator: " and ")) (\(first), \(second)), \(a.dimensions) dims")
        }
    }
}

struct FIDStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Compute FID statistics (TTUR-format .npz with provenance) of images."
    )

    @Argument(help: "Image folder or .npy uint8 array [N, H, W, 3].")
    var images: String

    @Option(help: "Output statistics file (.npz).")
    var out: String

    @OptionGroup var network: FIDNetworkOptions

    func run() throws {
        guard case let .images(collection) = try FIDInput(path: images) else {
            throw ValidationError("\(images) already is a statistics file")
        }
        let extractor = try network.extractor()
        let statistics = try extractor.statistics(of: collection, progress: fidProgress(images))
        try statistics.write(to: URL(fileURLWithPath: out))
        print("wrote \(out): \(statistics.sampleCount ?? 0) samples, \(statistics.dimensions) dims")
        if let count = statistics.sampleCount, count < statistics.dimensions {
            FileHandle.standardError.write(Data("warning: \(count) samples for \(statistics.dimensions) dims: the covariance is singular\n".utf8))
        }
    }
}
