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

/// The feature network of `fid` and `fid stats`.
extension FIDResize: ExpressibleByArgument {}

enum FIDFeatures: String, ExpressibleByArgument, CaseIterable {
    /// pytorch-fid's Inception-v3: FID.
    case inception
    /// DINOv2 (any size; ViT-L/14 is dgm-eval's): FD-DINOv2.
    case dinov2 = "dinov2-vitl14"
    /// CLIP's image tower in Hugging Face's layout (openai/clip-vit-large-patch14-336 is CMMD's).
    case clip = "clip-vitl14-336"
}

/// Options shared by the subcommands that run the network.
struct FIDNetworkOptions: ParsableArguments {
    @Option(help: "Feature network: inception (pytorch-fid's Inception-v3: FID), dinov2-vitl14 (DINOv2 with dgm-eval's conventions: FD-DINOv2; needs --weights, e.g. torch hub's dinov2_vitl14_pretrain.pth) or clip-vitl14-336 (CLIP's image tower, Hugging Face layout, with CMMD's conventions; needs --weights, e.g. openai/clip-vit-large-patch14-336's model.safetensors). Statistics say which network made them, and two networks' statistics are never compared.")
    var features: FIDFeatures = .inception

    @Option(help: "The network's weights: pytorch-fid's .pth (default: torch hub's cache, ~/.cache/torch/hub/checkpoints/pt_inception-2015-12-05-6726825d.pth), or DINOv2's .pth or .safetensors (required with --features dinov2-vitl14).")
    var weights: String?

    @Option(help: "How images reach Inception's 299×299: pytorch-fid (bilinear, as pytorch-fid; the default) or clean (clean-fid's: each channel through Pillow's antialiased bicubic filter). Statistics record it, and two resizes are never compared.")
    var resize: FIDResize = .pytorchFID

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
        if resize != .pytorchFID && features != .inception {
            throw ValidationError("--resize \(resize.rawValue) is Inception's: \(features.rawValue) has its own preprocessing")
        }
    }

    /// The feature extractor these options describe, with the engine's threads set.
    func extractor() throws -> any ImageFeatureExtractor {
        Engine.setThreads(threads)
        switch features {
        case .inception:
            let network = try FIDJob.network(weights: weights)
            network.resize = resize
            return try FeatureExtractor(network: network, dimensions: dims, batchSize: batch)
        case .dinov2:
            guard let weights else { throw ValidationError("--features dinov2-vitl14 needs --weights (DINOv2's .pth, e.g. torch hub's dinov2_vitl14_pretrain.pth)") }
            return try DINOv2FeatureExtractor(weights: URL(fileURLWithPath: weights))
        case .clip:
            guard let weights else { throw ValidationError("--features clip-vitl14-336 needs --weights (CLIP in Hugging Face's layout, e.g. openai/clip-vit-large-patch14-336's model.safetensors)") }
            return try CLIPFeatureExtractor(weights: URL(fileURLWithPath: weights))
        }
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

    @Flag(help: "Also CMMD (Jayasumana et al. 2024): the Gaussian-kernel MMD (σ = 10, × 1000) between the two sets' unit-length CLIP embeddings; needs --features clip-vitl14-336 and images on both sides.")
    var cmmd = false

    @Flag(help: "Also FD∞ (Chong & Forsyth 2020, as dgm-eval computes it): the FID of 15 subsets of A against all of B, extrapolated linearly in 1/N to infinitely many samples (subsets drawn with seed 0).")
    var fdInfinity = false

    func validate() throws {
        if kidSubsetSize < 2 || kidSubsets < 1 { throw ValidationError("--kid-subset-size must be at least 2 and --kid-subsets at least 1") }
    }

    func run() throws {
        let (a, b) = (try FIDInput(path: first), try FIDInput(path: second))
        if cmmd && network.features != .clip { throw ValidationError("--cmmd needs --features clip-vitl14-336 (CMMD compares CLIP embeddings)") }
        var extras = FIDJob.Extras()
        (extras.kid, extras.precisionRecall, extras.densityCoverage) = (kid ? (kidSubsetSize, kidSubsets) : nil, pr, dc)
        (extras.cmmd, extras.fdInfinity) = (cmmd, fdInfinity)
        let scores = try FIDJob.score(a, b, extras: extras, names: (first, second), extractor: network.extractor,
                                      progress: (fidProgress(first), fidProgress(second)))
        let (result, kidResult, prResult, counts) = (scores.frechet, scores.kid, scores.precisionRecall, scores.sampleCounts)
        let (dcResult, cmmdResult, fdInfinityResult) = (scores.densityCoverage, scores.cmmd, scores.fdInfinity)
        for warning in result.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if json {
            var object: [String: Any] = [
                "fid": result.distance,
                "samples": counts.map { $0.map { $0 as Any } ?? NSNull() },
                "dims": scores.dimensions,
                "warnings": result.warnings,
            ]
            if let kidResult {
                object["kid"] = ["mean": kidResult.mean, "std": kidResult.standardDeviation,
                                 "subset_size": kidResult.subsetSize, "subsets": kidResult.subsetValues.count]
            }
            if let prResult { (object["precision"], object["recall"]) = (prResult.precision, prResult.recall) }
            if let dcResult { (object["density"], object["coverage"]) = (dcResult.density, dcResult.coverage) }
            if let cmmdResult { object["cmmd"] = cmmdResult }
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
            if let cmmdResult { print("CMMD: \(cmmdResult)") }
            if let fdInfinityResult {
                print("FD∞: \(fdInfinityResult.value) (slope \(fdInfinityResult.slope) per 1/N over \(fdInfinityResult.points.map { String($0.size) }.joined(separator: ", ")) samples)")
            }
            print("samples: \(counts.map { $0.map(String.init) ?? "unknown" }.joined(separator: " and ")) (\(first), \(second)), \(scores.dimensions) dims")
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
        let statistics = try extractor.measure(collection, keepingFeatures: false, weightsSHA256: nil, progress: fidProgress(images)).statistics
        try statistics.write(to: URL(fileURLWithPath: out))
        print("wrote \(out): \(statistics.sampleCount ?? 0) samples, \(statistics.dimensions) dims")
        if let count = statistics.sampleCount, count < statistics.dimensions {
            FileHandle.standardError.write(Data("warning: \(count) samples for \(statistics.dimensions) dims: the covariance is singular\n".utf8))
        }
    }
}
