import Foundation
import Layers
import Tensors
import TrainingRuns

/// An image-GAN checkpoint: both networks (PyTorch names and layouts, batch-norm buffers
/// included), both Adam states, the random source, the iteration, the training time and the
/// configuration, in one safetensors file written atomically.
public enum ImageCheckpoint {
    public static let formatName = "ttur-text image-gan checkpoint 1"

    public typealias Progress = RunProgress

    /// - throws: `LocatedError` when the file cannot be written.
    public static func save(_ state: DCGANState, configuration: ImageTrainingConfiguration, progress: Progress,
                            to url: URL) throws {
        var tensors = ModelCheckpoint.entries(of: state.generator, optimizer: state.generatorOptimizer, role: "generator")
        tensors.merge(ModelCheckpoint.entries(of: state.discriminator, optimizer: state.discriminatorOptimizer,
                                              role: "discriminator")) { a, _ in a }
        var metadata = ModelCheckpoint.runMetadata(format: formatName, progress: progress, random: state.random)
        metadata["adam_step_generator"] = String(state.generatorOptimizer.step)
        metadata["adam_step_discriminator"] = String(state.discriminatorOptimizer.step)
        metadata["config"] = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Builds the training state from a checkpoint.
    /// - throws: `LocatedError` for a truncated or foreign file, a missing tensor or a wrong shape.
    public static func load(_ url: URL) throws -> (DCGANState, ImageTrainingConfiguration, Progress) {
        let file = try ModelCheckpoint.open(url, format: formatName, kind: "image-GAN")
        guard let text = file.metadata["config"],
              let configuration = try? JSONDecoder().decode(ImageTrainingConfiguration.self, from: Data(text.utf8)),
              configuration.model.isValid, configuration.batch > 1 else {
            throw LocatedError(file: url.path, "has no readable training configuration")
        }
        let state = DCGANState(configuration: configuration)
        try ModelCheckpoint.restore(state.generator, optimizer: state.generatorOptimizer, role: "generator",
                                    stepKey: "adam_step_generator", from: file, path: url.path)
        try ModelCheckpoint.restore(state.discriminator, optimizer: state.discriminatorOptimizer, role: "discriminator",
                                    stepKey: "adam_step_discriminator", from: file, path: url.path)
        let (progress, random) = try ModelCheckpoint.runState(of: file, path: url.path)
        state.random = random
        return (state, configuration, progress)
    }
}
