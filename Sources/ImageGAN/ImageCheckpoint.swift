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

    /// - throws: `SafeTensorsError` when the file cannot be written.
    public static func save(_ state: DCGANState, configuration: ImageTrainingConfiguration, progress: Progress,
                            to url: URL) throws {
        var tensors = ModelCheckpoint.entries(of: state.generator, optimizer: state.generatorOptimizer, role: "generator")
        tensors.merge(ModelCheckpoint.entries(of: state.discriminator, optimizer: state.discriminatorOptimizer,
                                              role: "discriminator")) { a, _ in a }
        let metadata: [String: String] = [
            "format": formatName,
            "iteration": String(progress.iteration),
            "elapsed_seconds": String(progress.elapsedSeconds),
            "adam_step_generator": String(state.generatorOptimizer.step),
            "adam_step_discriminator": String(state.discriminatorOptimizer.step),
            "random_state": state.random.serialized.map(String.init).joined(separator: ","),
            "config": String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self),
        ]
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Builds the training state from a checkpoint.
    /// - throws: `CheckpointError` for a truncated or foreign file, a missing tensor or a wrong shape.
    public static func load(_ url: URL) throws -> (DCGANState, ImageTrainingConfiguration, Progress) {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw CheckpointError(file: url.path, "is not a readable safetensors file (\(error))")
        }
        guard file.metadata["format"] == formatName else {
            throw CheckpointError(file: url.path, "is not a ttur-text image-GAN checkpoint")
        }
        guard let text = file.metadata["config"],
              let configuration = try? JSONDecoder().decode(ImageTrainingConfiguration.self, from: Data(text.utf8)),
              configuration.model.isValid, configuration.batch > 1 else {
            throw CheckpointError(file: url.path, "has no readable training configuration")
        }
        let state = DCGANState(configuration: configuration)
        try ModelCheckpoint.restore(state.generator, optimizer: state.generatorOptimizer, role: "generator",
                                    stepKey: "adam_step_generator", from: file, path: url.path)
        try ModelCheckpoint.restore(state.discriminator, optimizer: state.discriminatorOptimizer, role: "discriminator",
                                    stepKey: "adam_step_discriminator", from: file, path: url.path)
        guard let words = file.metadata["random_state"]?.split(separator: ",").compactMap({ UInt64($0) }),
              let random = RandomSource(serialized: words) else {
            throw CheckpointError(file: url.path, "lacks a valid random_state")
        }
        state.random = random
        guard let iteration = file.metadata["iteration"].flatMap(Int.init), iteration >= 0,
              let elapsed = file.metadata["elapsed_seconds"].flatMap(Double.init), elapsed.isFinite else {
            throw CheckpointError(file: url.path, "lacks iteration or elapsed_seconds")
        }
        return (state, configuration, Progress(iteration: iteration, elapsedSeconds: elapsed))
    }
}
