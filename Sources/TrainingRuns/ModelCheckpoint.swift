import Foundation
import Layers
import Tensors

/// One network with its Adam state inside a checkpoint file: the parameters under their
/// PyTorch names and layouts (so the reference can load them), buffers likewise, and the
/// optimiser's moments as `adam.<role>.m.<name>` / `adam.<role>.v.<name>`.
public enum ModelCheckpoint {
    /// The entries of `container` and `optimizer` (whose moments follow the parameters' order).
    public static func entries(of container: ParameterContainer, optimizer: Adam, role: String)
        -> [String: SafeTensorsEntry] {
        var tensors: [String: SafeTensorsEntry] = [:]
        for (index, parameter) in container.namedParameters.enumerated() {
            let shape = parameter.layout.torchShape(internal: parameter.tensor.shape)
            tensors[parameter.name] = SafeTensorsEntry(floats: parameter.layout.toTorch(parameter.tensor.scalars),
                                                       shape: shape)
            tensors["adam.\(role).m.\(parameter.name)"] = SafeTensorsEntry(
                floats: parameter.layout.toTorch(optimizer.firstMoments[index].scalars), shape: shape)
            tensors["adam.\(role).v.\(parameter.name)"] = SafeTensorsEntry(
                floats: parameter.layout.toTorch(optimizer.secondMoments[index].scalars), shape: shape)
        }
        for buffer in container.namedBuffers {
            tensors[buffer.name] = SafeTensorsEntry(floats: buffer.layout.toTorch(buffer.tensor.scalars),
                                                    shape: buffer.layout.torchShape(internal: buffer.tensor.shape))
        }
        return tensors
    }

    /// Restores `container` and `optimizer` from `file` (read from `path`), whose metadata
    /// holds the optimiser's step under `stepKey`. Nothing is changed unless everything is
    /// present with the right shapes.
    /// - throws: `LocatedError` naming the missing or mis-shaped tensor.
    public static func restore(_ container: ParameterContainer, optimizer: Adam, role: String, stepKey: String,
                               from file: SafeTensorsFile, path: String) throws {
        func entry(_ name: String, shape: [Int]) throws -> [Float] {
            guard let entry = file.tensors[name] else { throw LocatedError(file: path, "lacks tensor \(name)") }
            guard entry.shape == shape, entry.dtype == .float32 else {
                throw LocatedError(file: path, "tensor \(name) is \(entry.dtype.rawValue)\(entry.shape), expected F32\(shape)")
            }
            return entry.floats()
        }
        var moments: (m: [Tensor], v: [Tensor]) = ([], [])
        var state: TorchState = [:]
        for parameter in container.namedParameters {
            let shape = parameter.layout.torchShape(internal: parameter.tensor.shape)
            state[parameter.name] = (shape, try entry(parameter.name, shape: shape))
            moments.m.append(Tensor(parameter.layout.fromTorch(try entry("adam.\(role).m.\(parameter.name)", shape: shape)),
                                    shape: parameter.tensor.shape))
            moments.v.append(Tensor(parameter.layout.fromTorch(try entry("adam.\(role).v.\(parameter.name)", shape: shape)),
                                    shape: parameter.tensor.shape))
        }
        for buffer in container.namedBuffers {
            let shape = buffer.layout.torchShape(internal: buffer.tensor.shape)
            state[buffer.name] = (shape, try entry(buffer.name, shape: shape))
        }
        guard let step = file.metadata[stepKey].flatMap(Int.init), step >= 0 else {
            throw LocatedError(file: path, "lacks \(stepKey)")
        }
        do { try container.load(torchState: state) } catch {
            throw LocatedError(file: path, "\(error)")
        }
        optimizer.restore(step: step, firstMoments: moments.m, secondMoments: moments.v)
    }

    /// Whether every parameter is finite: a finite loss can still be followed by an update
    /// that overflows the weights, and such weights must never replace a good checkpoint.
    public static func allFinite(_ containers: [ParameterContainer]) -> Bool {
        containers.allSatisfy { container in
            (container.parameters + container.namedBuffers.map(\.tensor)).allSatisfy { tensor in
                UnsafeBufferPointer(start: tensor.storage.pointer, count: tensor.count).allSatisfy(\.isFinite)
            }
        }
    }
}

extension ModelCheckpoint {
    /// Opens a checkpoint and checks its `format` metadata.
    /// - Parameter kind: names the expected checkpoint in the error ("language-GAN", …).
    /// - throws: `LocatedError` for an unreadable file or another format.
    public static func open(_ url: URL, format: String, kind: String) throws -> SafeTensorsFile {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw LocatedError(file: url.path, "is not a readable safetensors file (\(error))")
        }
        guard file.metadata["format"] == format else {
            throw LocatedError(file: url.path, "is not a ttur-text \(kind) checkpoint")
        }
        return file
    }

    /// The metadata every trainer's checkpoint carries: format, progress and random state.
    public static func runMetadata(format: String, progress: RunProgress, random: RandomSource) -> [String: String] {
        ["format": format,
         "iteration": String(progress.iteration),
         "elapsed_seconds": String(progress.elapsedSeconds),
         "random_state": random.serialized.map(String.init).joined(separator: ",")]
    }

    /// Reads back what `runMetadata` wrote.
    /// - throws: `LocatedError` for a missing or invalid random state, iteration or time.
    public static func runState(of file: SafeTensorsFile, path: String) throws -> (RunProgress, RandomSource) {
        guard let words = file.metadata["random_state"]?.split(separator: ",").compactMap({ UInt64($0) }),
              let random = RandomSource(serialized: words) else {
            throw LocatedError(file: path, "lacks a valid random_state")
        }
        guard let iteration = file.metadata["iteration"].flatMap(Int.init), iteration >= 0,
              let elapsed = file.metadata["elapsed_seconds"].flatMap(Double.init), elapsed.isFinite else {
            throw LocatedError(file: path, "lacks iteration or elapsed_seconds")
        }
        return (RunProgress(iteration: iteration, elapsedSeconds: elapsed), random)
    }
}
