import Foundation
import Layers
import Tensors

/// A training checkpoint: both networks (PyTorch names and layouts, so the reference can
/// load them), both Adam states, the random source, the iteration, the training time and
/// the configuration, in one safetensors file written atomically.
public enum Checkpoint {
    public static let formatName = "ttur-text language-gan checkpoint 1"

    /// What a checkpoint restores besides the parameters.
    public struct Progress: Equatable, Sendable {
        public var iteration: Int
        /// Training wall-clock seconds so far, evaluation excluded.
        public var elapsedSeconds: Double
        public init(iteration: Int, elapsedSeconds: Double) {
            self.iteration = iteration
            self.elapsedSeconds = elapsedSeconds
        }
    }

    /// Writes `state` to `url` atomically (temporary file, then rename).
    /// - throws: `SafeTensorsError` when the file cannot be written.
    public static func save(_ state: LanguageGANState, configuration: TrainingConfiguration, progress: Progress,
                            to url: URL) throws {
        var tensors: [String: SafeTensorsEntry] = [:]
        func add(_ container: ParameterContainer, _ optimizer: Adam, _ role: String) {
            for (index, parameter) in container.namedParameters.enumerated() {
                let shape = parameter.layout.torchShape(internal: parameter.tensor.shape)
                tensors[parameter.name] = SafeTensorsEntry(floats: parameter.layout.toTorch(parameter.tensor.scalars),
                                                           shape: shape)
                tensors["adam.\(role).m.\(parameter.name)"] = SafeTensorsEntry(
                    floats: parameter.layout.toTorch(optimizer.firstMoments[index].scalars), shape: shape)
                tensors["adam.\(role).v.\(parameter.name)"] = SafeTensorsEntry(
                    floats: parameter.layout.toTorch(optimizer.secondMoments[index].scalars), shape: shape)
            }
        }
        add(state.generator, state.generatorOptimizer, "generator")
        add(state.critic, state.criticOptimizer, "critic")
        let configurationJSON = try JSONEncoder().encode(configuration)
        let metadata: [String: String] = [
            "format": formatName,
            "iteration": String(progress.iteration),
            "elapsed_seconds": String(progress.elapsedSeconds),
            "adam_step_generator": String(state.generatorOptimizer.step),
            "adam_step_critic": String(state.criticOptimizer.step),
            "random_state": state.random.serialized.map(String.init).joined(separator: ","),
            "config": String(decoding: configurationJSON, as: UTF8.self),
        ]
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Reads the configuration stored in a checkpoint.
    /// - throws: `CheckpointError` when the file is unreadable or not a ttur-text checkpoint.
    public static func configuration(in url: URL) throws -> TrainingConfiguration {
        try configuration(of: try open(url), at: url)
    }

    private static func configuration(of file: SafeTensorsFile, at url: URL) throws -> TrainingConfiguration {
        guard let text = file.metadata["config"],
              let configuration = try? JSONDecoder().decode(TrainingConfiguration.self, from: Data(text.utf8)) else {
            throw CheckpointError(file: url.path, "has no readable training configuration")
        }
        return configuration
    }

    /// Builds the training state from a checkpoint.
    /// - throws: `CheckpointError` for a truncated or foreign file, a missing tensor or a wrong shape.
    public static func load(_ url: URL) throws -> (LanguageGANState, TrainingConfiguration, Progress) {
        let file = try open(url)
        let configuration = try self.configuration(of: file, at: url)
        let state = LanguageGANState(configuration: configuration)
        func restore(_ container: ParameterContainer, _ optimizer: Adam, _ role: String, step key: String) throws {
            var moments: (m: [Tensor], v: [Tensor]) = ([], [])
            var parameters: TorchState = [:]
            for parameter in container.namedParameters {
                let shape = parameter.layout.torchShape(internal: parameter.tensor.shape)
                func entry(_ name: String) throws -> [Float] {
                    guard let entry = file.tensors[name] else { throw CheckpointError(file: url.path, "lacks tensor \(name)") }
                    guard entry.shape == shape, entry.dtype == .float32 else {
                        throw CheckpointError(file: url.path, "tensor \(name) is \(entry.dtype.rawValue)\(entry.shape), expected F32\(shape)")
                    }
                    return entry.floats()
                }
                parameters[parameter.name] = (shape, try entry(parameter.name))
                moments.m.append(Tensor(parameter.layout.fromTorch(try entry("adam.\(role).m.\(parameter.name)")),
                                        shape: parameter.tensor.shape))
                moments.v.append(Tensor(parameter.layout.fromTorch(try entry("adam.\(role).v.\(parameter.name)")),
                                        shape: parameter.tensor.shape))
            }
            do { try container.load(torchState: parameters) } catch {
                throw CheckpointError(file: url.path, "\(error)")
            }
            guard let step = file.metadata[key].flatMap(Int.init), step >= 0 else {
                throw CheckpointError(file: url.path, "lacks \(key)")
            }
            optimizer.restore(step: step, firstMoments: moments.m, secondMoments: moments.v)
        }
        try restore(state.generator, state.generatorOptimizer, "generator", step: "adam_step_generator")
        try restore(state.critic, state.criticOptimizer, "critic", step: "adam_step_critic")
        guard let words = file.metadata["random_state"]?.split(separator: ",").compactMap({ UInt64($0) }),
              let random = RandomSource(serialized: words) else {
            throw CheckpointError(file: url.path, "lacks a valid random_state")
        }
        state.random = random
        guard let iteration = file.metadata["iteration"].flatMap(Int.init),
              let elapsed = file.metadata["elapsed_seconds"].flatMap(Double.init) else {
            throw CheckpointError(file: url.path, "lacks iteration or elapsed_seconds")
        }
        return (state, configuration, Progress(iteration: iteration, elapsedSeconds: elapsed))
    }

    private static func open(_ url: URL) throws -> SafeTensorsFile {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw CheckpointError(file: url.path, "is not a readable safetensors file (\(error))")
        }
        guard file.metadata["format"] == formatName else {
            throw CheckpointError(file: url.path, "is not a ttur-text language-GAN checkpoint")
        }
        return file
    }
}

/// A checkpoint that cannot be used, with the file and the reason.
public struct CheckpointError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }
    public var description: String { "\(file): \(reason)" }
}
