import Foundation
import ImageData
import Tensors
import TrainingRuns

/// One line of an image run's `log.jsonl`.
public struct ImageLogEntry: LoggedEvaluation, Equatable, Sendable {
    public var iteration: Int
    /// Training wall-clock seconds since the run started, evaluation excluded.
    public var seconds: Double
    public var discriminatorLoss: Double?
    public var generatorLoss: Double?
    /// Mean sigmoid(D) on real and generated images of the last step (DCGAN).
    public var realScore: Double?
    public var fakeScore: Double?
    /// mean D(fake) − mean D(real) and the gradient penalty of the last critic step (WGAN-GP).
    public var wasserstein: Double?
    public var gradientPenalty: Double?
    /// FID keyed by feature network ("classifier" or "inception"); never mixed.
    public var fid: [String: Double]
    /// KID (mean and standard deviation over subsets), precision and recall, keyed as FID;
    /// present when the run asked for them (`--kid`, `--pr`).
    public var kid: [String: Double]? = nil
    public var kidStandardDeviation: [String: Double]? = nil
    public var precision: [String: Double]? = nil
    public var recall: [String: Double]? = nil
    /// The loop's model-selection record (by FID).
    public var selection: Selection? = nil
    /// FID shows a collapse itself: no warning of its own.
    public var warning: String? { nil }

    /// The FID the best checkpoint is selected by (there is one network's).
    public var selectionScore: Double? { fid.values.first }

    enum CodingKeys: String, CodingKey {
        case iteration, seconds, fid, kid, precision, recall, selection
        case discriminatorLoss = "d_loss", generatorLoss = "g_loss", realScore = "d_real", fakeScore = "d_fake"
        case wasserstein, gradientPenalty = "gradient_penalty"
        case kidStandardDeviation = "kid_std"
    }

    public init(iteration: Int, seconds: Double, discriminatorLoss: Double? = nil, generatorLoss: Double? = nil,
                realScore: Double? = nil, fakeScore: Double? = nil, wasserstein: Double? = nil,
                gradientPenalty: Double? = nil, fid: [String: Double] = [:]) {
        (self.iteration, self.seconds, self.discriminatorLoss, self.generatorLoss) = (iteration, seconds, discriminatorLoss, generatorLoss)
        (self.realScore, self.fakeScore, self.wasserstein, self.gradientPenalty) = (realScore, fakeScore, wasserstein, gradientPenalty)
        self.fid = fid
    }

    /// The scores of one evaluation, keyed by `network`.
    mutating func record(_ scores: FIDMonitorScores?, network: String) {
        guard let scores else { return }
        fid = [network: scores.fid]
        if let kid = scores.kid { (self.kid, kidStandardDeviation) = ([network: kid.mean], [network: kid.standardDeviation]) }
        if let pr = scores.precisionRecall { (precision, recall) = ([network: pr.precision], [network: pr.recall]) }
    }
}

/// What an image run trains and is scored on: the images, and the FID monitor (nil: no FID).
public struct ImageTrainingData {
    public let images: TrainingImages
    public let fid: FIDMonitor?

    /// What image runs select their best checkpoint by.
    public var selectionMetric: String { "FID (\(fid?.network.kind.rawValue ?? "not computed"))" }

    public init(images: TrainingImages, fid: FIDMonitor?) {
        self.images = images
        self.fid = fid
    }

    /// Checks that the data fits a model of `channels` channels trained on batches of `batch`
    /// (batch norm needs two images at least).
    /// - throws: `LocatedError` naming the data.
    func check(channels: Int, batch: Int) throws {
        guard batch > 1 else { throw LocatedError("an image GAN's batch needs at least 2 images (batch norm)") }
        guard channels == images.channels else {
            throw LocatedError("the model has \(channels) channel(s), \(images.name) has \(images.channels)")
        }
        guard images.count >= 1 else { throw LocatedError(file: images.name, "no images") }
    }

    /// Real images drawn uniformly (with replacement) from `random`: the whole global batch
    /// of `count` is drawn, this rank's share returned, [share, size, size, channels].
    func batch(_ count: Int, size: Int, using random: inout RandomSource) -> Tensor {
        let indices = Array((0..<count).map { _ in random.nextInt(below: images.count) }[Collectives.localRows(of: count)])
        return Tensor(images.batch(indices: indices, size: size), shape: [indices.count, size, size, images.channels])
    }

    /// An image grid to `samples` and the FID (with KID and precision/recall when the settings
    /// ask for them; when a monitor is set) of generated images.
    /// - Parameter generate: `count` images from `random`, [count, size, size, channels] in (−1, 1).
    func evaluate(_ settings: ImageEvaluationSettings, size: Int, channels: Int, samples: URL,
                  random: inout RandomSource,
                  generate: (_ count: Int, _ random: inout RandomSource) -> [Float]) throws -> FIDMonitorScores? {
        // From the settings, not the monitor: every rank of an MPI job generates the same count.
        let scored = fid != nil || !settings.featureWeights.isEmpty
        let count = max(settings.gridImages, scored ? settings.fidSamples : 0)
        let generated = generate(count, &random)
        guard Collectives.current.rank == 0 else { return nil }  // another rank: rank 0 scores and writes
        let per = size * size * channels
        try ImageGrid(images: Array(generated[0..<(settings.gridImages * per)]), count: settings.gridImages,
                      height: size, width: size, channels: channels).write(to: samples)
        guard let fid else { return nil }
        let n = settings.fidSamples
        return try fid.scores(Array(generated[0..<(n * per)]), count: n, size: size, channels: channels,
                              kidSubsetSize: settings.kidSubsetSize)
    }
}
