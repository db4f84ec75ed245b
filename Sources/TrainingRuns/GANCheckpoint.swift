import Foundation
import Layers
import Tensors

/// The one checkpoint format of every GAN: a safetensors file, written atomically, holding
///
/// - for each role (`generator`, `critic`, `discriminator`): the network's parameters and
///   buffers under their PyTorch names and layouts (so the references load them), and its
///   Adam moments as `adam.<role>.m.<name>` / `adam.<role>.v.<name>`;
/// - metadata: `format` (`ttur-text gan checkpoint 2`), `gan` (the kind), `roles`,
///   `adam_step_<role>`, `iteration`, `elapsed_seconds`, `random_state` (the training
///   stream), `config` (the run's configuration as JSON), `precision` (the arithmetic that
///   wrote it: `fp32`, or `bf16` with oneDNN's implementation) and `data_sha256` (the tensor
///   data's SHA-256, checked on every load: `SafeTensorsFile.checksumKey`).
///
/// Round 1 wrote the same tensors and keys under a format name per kind; those still load,
/// as do round 2's checkpoints without `data_sha256` (with no claim of integrity).
public struct GANCheckpoint {
    public static let formatName = "ttur-text gan checkpoint 2"
    /// Round 1's format names, and the kinds they held.
    static let legacyFormats = ["ttur-text language-gan checkpoint 1": "language-wgan-gp",
                                "ttur-text image-gan checkpoint 1": "dcgan"]

    public let url: URL
    public let file: SafeTensorsFile
    /// The GAN kind it holds.
    public let kind: String

    /// Opens a checkpoint, checks its data against its checksum (where it has one) and reads
    /// its format.
    /// - throws: `LocatedError` for an unreadable or damaged file, or another format.
    public static func open(_ url: URL) throws -> GANCheckpoint {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch let error as LocatedError {
            throw LocatedError(file: url.path, "is not a readable safetensors file: \(error.message)")
        }
        let format = file.metadata["format"] ?? ""
        guard let kind = format == formatName ? file.metadata["gan"] : legacyFormats[format] else {
            throw LocatedError(file: url.path, "is not a ttur-text checkpoint")
        }
        return GANCheckpoint(url: url, file: file, kind: kind)
    }

    /// The run configuration it holds, for a GAN of type `G`.
    /// - throws: `LocatedError` when it holds another kind or no readable configuration.
    public func configuration<G: TrainableGAN>(of _: G.Type) throws -> RunConfiguration<G.Settings> {
        guard kind == G.kind else {
            throw LocatedError(file: url.path, "holds a \(kind) run, not a \(G.kind) one")
        }
        guard let text = file.metadata["config"],
              let configuration = try? JSONDecoder().decode(RunConfiguration<G.Settings>.self, from: Data(text.utf8)),
              configuration.run.batch > 0, configuration.run.evalEvery > 0, configuration.run.checkpointEvery > 0,
              (try? configuration.gan.validate()) != nil else {
            throw LocatedError(file: url.path, "has no readable training configuration")
        }
        return configuration
    }

    /// Whether the file holds the optimisers' state (a sampling export does not).
    public var hasOptimizerState: Bool { file.metadata["optimizer_state"] != "none" }

    /// Loads every network, optimiser and the random stream into `gan`; returns the progress.
    /// With `roles`, only those networks (and no optimiser state where the file has none:
    /// enough for sampling). Nothing is changed unless everything is present with the right shapes.
    /// - throws: `LocatedError` naming the missing or mis-shaped tensor or metadata.
    @discardableResult
    public func restore(_ gan: some CheckpointedNetworks, roles: Set<String>? = nil) throws -> RunProgress {
        let path = url.path
        guard roles != nil || hasOptimizerState else {
            throw LocatedError(file: path, "holds no optimiser state (an export for sampling): it cannot continue a run")
        }
        guard let words = file.metadata["random_state"]?.split(separator: ",").compactMap({ UInt64($0) }),
              let random = RandomSource(serialized: words) else {
            throw LocatedError(file: path, "lacks a valid random_state")
        }
        guard let iteration = file.metadata["iteration"].flatMap(Int.init), iteration >= 0,
              let elapsed = file.metadata["elapsed_seconds"].flatMap(Double.init), elapsed.isFinite else {
            throw LocatedError(file: path, "lacks iteration or elapsed_seconds")
        }
        let restores = try gan.networks.filter { roles?.contains($0.role) ?? true }.map { try restoration(of: $0) }
        for restore in restores { try restore() }
        gan.random = random
        return RunProgress(iteration: iteration, elapsedSeconds: elapsed)
    }

    /// Reads and checks one network's tensors; the returned closure applies them.
    private func restoration(of trained: TrainedNetwork) throws -> () throws -> Void {
        let path = url.path, role = trained.role
        func entry(_ name: String, shape: [Int]) throws -> [Float] {
            guard let entry = file.tensors[name] else { throw LocatedError(file: path, "lacks tensor \(name)") }
            guard entry.shape == shape, entry.dtype == .float32 else {
                throw LocatedError(file: path, "tensor \(name) is \(entry.dtype.rawValue)\(entry.shape), expected F32\(shape)")
            }
            return entry.floats()
        }
        var firstMoments: [Tensor] = [], secondMoments: [Tensor] = []
        var state: TorchState = [:]
        let optimizer = hasOptimizerState
        for parameter in trained.network.namedParameters {
            let layout = parameter.layout, shape = layout.torchShape(internal: parameter.tensor.shape)
            state[parameter.name] = (shape, try entry(parameter.name, shape: shape))
            guard optimizer else { continue }
            firstMoments.append(Tensor(layout.fromTorch(try entry("adam.\(role).m.\(parameter.name)", shape: shape)),
                                       shape: parameter.tensor.shape))
            secondMoments.append(Tensor(layout.fromTorch(try entry("adam.\(role).v.\(parameter.name)", shape: shape)),
                                        shape: parameter.tensor.shape))
        }
        for buffer in trained.network.namedBuffers {
            let shape = buffer.layout.torchShape(internal: buffer.tensor.shape)
            state[buffer.name] = (shape, try entry(buffer.name, shape: shape))
        }
        let step = file.metadata["adam_step_\(role)"].flatMap(Int.init)
        guard !optimizer || (step ?? -1) >= 0 else { throw LocatedError(file: path, "lacks adam_step_\(role)") }
        return {
            do { try trained.network.load(torchState: state) } catch {
                throw LocatedError(file: path, "\(error)")
            }
            if optimizer { trained.optimizer.restore(step: step!, firstMoments: firstMoments, secondMoments: secondMoments) }
        }
    }

    /// Writes `gan` with its configuration and progress to `url`, atomically.
    /// - throws: `LocatedError` when the file cannot be written.
    public static func save<G: TrainableGAN>(_ gan: G, configuration: RunConfiguration<G.Settings>,
                                             progress: RunProgress, to url: URL) throws {
        try save(gan, kind: G.kind, configuration: configuration, progress: progress, to: url)
    }

    /// Writes `networks` as a checkpoint of `kind` (tests and tools that hold no trainer).
    /// With `roles`, only those networks and no optimiser state: an export for sampling.
    /// - throws: `LocatedError` when the file cannot be written.
    public static func save(_ gan: some CheckpointedNetworks, kind: String, configuration: some Encodable,
                            progress: RunProgress, to url: URL, roles: Set<String>? = nil) throws {
        var tensors: [String: SafeTensorsEntry] = [:]
        let networks = gan.networks.filter { roles?.contains($0.role) ?? true }
        var metadata = ["format": formatName, "gan": kind,
                        "roles": networks.map(\.role).joined(separator: ","),
                        "iteration": String(progress.iteration),
                        "elapsed_seconds": String(progress.elapsedSeconds),
                        "random_state": gan.random.serialized.map(String.init).joined(separator: ","),
                        "config": String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self),
                        // Which arithmetic wrote it: fp32 (OpenBLAS), or bf16 and oneDNN's implementation.
                        "precision": Engine.precision.rawValue + (Engine.precision == .bf16 ? " " + (Engine.bf16Implementation ?? "") : "")]
        if roles != nil { metadata["optimizer_state"] = "none" }
        for trained in networks {
            tensors.merge(entries(of: trained, optimizerState: roles == nil)) { a, _ in a }
            if roles == nil { metadata["adam_step_\(trained.role)"] = String(trained.optimizer.step) }
        }
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: url, checksummed: true)
    }

    /// One network's parameters, buffers and Adam moments, in PyTorch names and layouts.
    static func entries(of trained: TrainedNetwork, optimizerState: Bool) -> [String: SafeTensorsEntry] {
        var tensors: [String: SafeTensorsEntry] = [:]
        let optimizer = trained.optimizer, role = trained.role
        for (index, parameter) in trained.network.namedParameters.enumerated() {
            let layout = parameter.layout, shape = layout.torchShape(internal: parameter.tensor.shape)
            tensors[parameter.name] = SafeTensorsEntry(floats: layout.toTorch(parameter.tensor.scalars), shape: shape)
            guard optimizerState else { continue }
            tensors["adam.\(role).m.\(parameter.name)"] = SafeTensorsEntry(
                floats: layout.toTorch(optimizer.firstMoments[index].scalars), shape: shape)
            tensors["adam.\(role).v.\(parameter.name)"] = SafeTensorsEntry(
                floats: layout.toTorch(optimizer.secondMoments[index].scalars), shape: shape)
        }
        for buffer in trained.network.namedBuffers {
            tensors[buffer.name] = SafeTensorsEntry(floats: buffer.layout.toTorch(buffer.tensor.scalars),
                                                    shape: buffer.layout.torchShape(internal: buffer.tensor.shape))
        }
        return tensors
    }

    /// Whether every parameter and buffer is finite.
    public static func allFinite(_ networks: [ParameterContainer]) -> Bool {
        networks.allSatisfy { network in
            (network.parameters + network.namedBuffers.map(\.tensor)).allSatisfy { tensor in
                UnsafeBufferPointer(start: tensor.storage.pointer, count: tensor.count).allSatisfy(\.isFinite)
            }
        }
    }
}
