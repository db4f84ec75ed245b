import Foundation
import Layers
import Tensors
import TrainingRuns

/// A training checkpoint: both networks (PyTorch names and layouts, so the reference can
/// load them), both Adam states, the random source, the iteration, the training time and
/// the configuration, in one safetensors file written atomically.
public enum Checkpoint {
    public static let formatName = "ttur-text language-gan checkpoint 1"

    public typealias Progress = RunProgress

    /// Writes `state` to `url` atomically (temporary file, then rename).
    /// - throws: `LocatedError` when the file cannot be written.
    public static func save(_ state: LanguageGANState, configuration: TrainingConfiguration, progress: Progress,
                            to url: URL) throws {
        var tensors = ModelCheckpoint.entries(of: state.generator, optimizer: state.generatorOptimizer,
                                              role: "generator")
        tensors.merge(ModelCheckpoint.entries(of: state.critic, optimizer: state.criticOptimizer, role: "critic")) { a, _ in a }
        var metadata = ModelCheckpoint.runMetadata(format: formatName, progress: progress, random: state.random)
        metadata["adam_step_generator"] = String(state.generatorOptimizer.step)
        metadata["adam_step_critic"] = String(state.criticOptimizer.step)
        metadata["config"] = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Reads the configuration stored in a checkpoint.
    /// - throws: `LocatedError` when the file is unreadable or not a ttur-text checkpoint.
    public static func configuration(in url: URL) throws -> TrainingConfiguration {
        try configuration(of: try open(url), at: url)
    }

    private static func configuration(of file: SafeTensorsFile, at url: URL) throws -> TrainingConfiguration {
        guard let text = file.metadata["config"],
              let configuration = try? JSONDecoder().decode(TrainingConfiguration.self, from: Data(text.utf8)) else {
            throw LocatedError(file: url.path, "has no readable training configuration")
        }
        return configuration
    }

    /// Builds the training state from a checkpoint.
    /// - throws: `LocatedError` for a truncated or foreign file, a missing tensor or a wrong shape.
    public static func load(_ url: URL) throws -> (LanguageGANState, TrainingConfiguration, Progress) {
        let file = try open(url)
        let configuration = try self.configuration(of: file, at: url)
        let state = LanguageGANState(configuration: configuration)
        try ModelCheckpoint.restore(state.generator, optimizer: state.generatorOptimizer, role: "generator",
                                    stepKey: "adam_step_generator", from: file, path: url.path)
        try ModelCheckpoint.restore(state.critic, optimizer: state.criticOptimizer, role: "critic",
                                    stepKey: "adam_step_critic", from: file, path: url.path)
        let (progress, random) = try ModelCheckpoint.runState(of: file, path: url.path)
        state.random = random
        return (state, configuration, progress)
    }

    private static func open(_ url: URL) throws -> SafeTensorsFile {
        try ModelCheckpoint.open(url, format: formatName, kind: "language-GAN")
    }
}
