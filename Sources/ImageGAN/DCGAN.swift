import Foundation
import Tensors
import TrainingRuns

/// The paper's DCGAN experiment as a GAN for the training loop: per iteration one
/// discriminator step on a real batch and a generated one, then one generator step;
/// evaluated by FID and an image grid.
public final class DCGAN: StatefulGAN {
    public static let kind = "dcgan"
    public static let sampleExtension = "png"

    public let configuration: DCGANConfiguration
    public let state: DCGANState
    public let data: ImageTrainingData

    /// - throws: `LocatedError` when the data's channels differ from the model's, or it is empty.
    public init(configuration: DCGANConfiguration, context data: ImageTrainingData) throws {
        try data.check(channels: configuration.gan.channels, batch: configuration.run.batch)
        self.configuration = configuration
        self.data = data
        state = DCGANState(configuration: configuration)
    }

    public var headline: String {
        let c = configuration.gan, m = c.model
        return "\(c.schedule.rawValue), D lr \(c.discriminatorLearningRate), G lr \(c.generatorLearningRate), \(m.imageSize)×\(m.imageSize)×\(m.channels), width \(m.generatorWidth), batch \(configuration.run.batch), \(data.images.count) images (\(data.images.name))"
            + (data.fid.map { "\nFID features: \($0.network.identity)" } ?? "")
    }

    public struct Losses {
        public let discriminator: DCGANState.DiscriminatorStep
        public let generator: Double
    }

    public func iterate(iteration: Int) -> Losses {
        let real = data.batch(configuration.run.batch, size: configuration.gan.model.imageSize, using: &state.random)
        let discriminator = state.discriminatorUpdate(real: real)
        return Losses(discriminator: discriminator, generator: state.generatorUpdate(batch: configuration.run.batch))
    }

    public func nonFiniteReason(_ losses: Losses) -> String? {
        guard !losses.discriminator.loss.isFinite || !losses.generator.isFinite else { return nil }
        return "discriminator \(losses.discriminator.loss), generator \(losses.generator)"
    }

    public func evaluate(iteration: Int, seconds: Double, losses: Losses?, random: inout RandomSource,
                         samples: URL) throws -> ImageLogEntry {
        let model = configuration.gan.model
        let scores = try data.evaluate(configuration.gan.evaluation, size: model.imageSize, channels: model.channels,
                                       samples: samples, random: &random) { count, random in
            state.generate(count: count, batch: configuration.run.batch, using: &random)
        }
        var entry = ImageLogEntry(iteration: iteration, seconds: seconds, discriminatorLoss: losses?.discriminator.loss,
                                  generatorLoss: losses?.generator, realScore: losses?.discriminator.realScore,
                                  fakeScore: losses?.discriminator.fakeScore, fid: [:])
        entry.record(scores, network: data.fid?.network.kind.rawValue ?? "")
        return entry
    }

    public var selectionMetric: String { data.selectionMetric }
    public func selectionScore(_ entry: ImageLogEntry) -> Double? { entry.selectionScore }

    public func summary(_ losses: Losses, latest: ImageLogEntry?) -> String {
        String(format: "D %.4f  G %.4f", losses.discriminator.loss, losses.generator)
            + (latest?.fid.values.first.map { String(format: "  FID %.3f", $0) } ?? "")
    }
}
