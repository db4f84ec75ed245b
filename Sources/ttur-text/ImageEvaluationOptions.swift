import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Tensors
import TrainingRuns

/// How `image train` scores its GAN: FID's feature network and sample counts, the grids.
struct ImageEvaluationOptions: ParsableArguments {
    @Option(help: "FID and an image grid every this many iterations.") var fidEvery = 500
    @Option(help: "Generated images per FID.") var fidSamples = 5000
    @Option(help: "Real images behind the real statistics.") var fidReal = 10000
    @Option(help: "pytorch-fid's Inception weights (pt_inception-2015-12-05-6726825d.pth): FID on Inception features.")
    var fidWeights: String?
    @Option(help: "Feature-classifier weights from `ttur-text image features` (default for Fashion-MNIST: the committed one).")
    var features: String?
    @Flag(help: "No FID (grids and losses only).") var noFid = false
    @Option(help: "Images in each grid.") var grid = 64
    @Flag(help: "Also KID (torch-fidelity's: 100 subsets) on FID's features, logged as kid and kid_std.") var kid = false
    @Option(help: "Images in each KID subset.") var kidSubsetSize = 1000
    @Flag(help: "Also improved precision and recall (k = 3) on FID's features, logged as precision and recall.") var pr = false

    func validate() throws {
        for (name, value) in [("--fid-every", fidEvery), ("--grid", grid)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if fidSamples < 2 || fidReal < 2 { throw ValidationError("--fid-samples and --fid-real must be at least 2") }
        if noFid && (fidWeights != nil || features != nil || kid || pr) {
            throw ValidationError("--no-fid contradicts --fid-weights/--features/--kid/--pr")
        }
        if kid && !(2...min(fidSamples, fidReal) ~= kidSubsetSize) {
            throw ValidationError("--kid-subset-size \(kidSubsetSize) must be at least 2 and at most --fid-samples and --fid-real (\(fidSamples), \(fidReal))")
        }
    }

    /// A new run's evaluation settings for the data `data` names.
    func settings(_ data: DatasetOptions, spec: DatasetSpec) throws -> ImageEvaluationSettings {
        var s = ImageEvaluationSettings()
        (s.fidSamples, s.fidRealSamples, s.gridImages) = (fidSamples, fidReal, grid)
        (s.dataset, s.datasetLimit) = (data.dataset, data.limit)
        (s.kidSubsetSize, s.precisionRecall) = (kid ? kidSubsetSize : nil, pr ? true : nil)
        if noFid {
            s.featureWeights = ""
        } else if let fidWeights {
            s.featureNetwork = .inception
            s.featureWeights = URL(fileURLWithPath: fidWeights).path
        } else {
            s.featureNetwork = .classifier
            guard let weights = features.map({ URL(fileURLWithPath: $0) })
                    ?? (spec.isFashionMNIST ? DefaultFeatureWeights.locate() : nil) else {
                throw ValidationError("no FID feature network for \(data.dataset): train one with `ttur-text image features --dataset \(data.dataset) --out FILE` and pass --features FILE, give --fid-weights PTH, or use --no-fid")
            }
            s.featureWeights = weights.path
        }
        return s
    }

    /// Every FID of the run and its newest grid.
    static func printScores<GAN: TrainableGAN>(_ trainer: Trainer<GAN>) throws where GAN.Entry == ImageLogEntry {
        for entry in try trainer.logEntries() where !entry.fid.isEmpty {
            let named = [("FID", entry.fid), ("KID", entry.kid ?? [:]), ("precision", entry.precision ?? [:]), ("recall", entry.recall ?? [:])]
            let scores = named.flatMap { name, values in
                values.sorted { $0.key < $1.key }.map { String(format: "%@(%@) %.4g", name, $0.key, $0.value) }
            }
            print(String(format: "iteration %6d  %7.1f s  ", entry.iteration, entry.seconds) + scores.joined(separator: "  "))
        }
        print("latest grid: \(trainer.run.sampleFiles().last?.url.path ?? "-")")
    }
}
