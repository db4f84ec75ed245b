import Basics
import Foundation
import Tensors

/// A checkpoint's tensors by name, from safetensors or a `torch.save` file, read once, with
/// the checks every network loader needs: present, the expected shape, as float32.
public struct NamedWeights {
    public let source: String
    private let tensors: [String: SafeTensorsEntry]
    /// A prefix that the file puts before every name (`bert.`, `model.`), found by probing.
    public var prefix = ""

    /// - throws: `LocatedError` naming the file when it is neither format or unreadable.
    public init(contentsOf url: URL) throws {
        source = url.path
        if url.pathExtension == "safetensors" {
            tensors = try SafeTensorsFile(contentsOf: url).tensors
        } else {
            tensors = try TorchCheckpoint(contentsOf: url).tensors
        }
    }

    public func has(_ name: String) -> Bool { tensors[prefix + name] != nil }

    /// The tensor `name`, checked against `shape`, as float32 values in its stored layout.
    /// - throws: `LocatedError` naming the file and tensor when it is missing or mis-shaped.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let entry = tensors[prefix + name] else { throw LocatedError(file: source, "lacks tensor \(prefix + name)") }
        guard entry.shape == shape else {
            throw LocatedError(file: source, "tensor \(prefix + name) is \(entry.shape), expected \(shape)")
        }
        return entry.floats()
    }

    /// The shape of `name`, when present.
    public func shape(_ name: String) -> [Int]? { tensors[prefix + name]?.shape }

    /// `name`'s weight (and bias, when `bias`) as a linear layer of `inputs` → `outputs`.
    public func linear(_ name: String, inputs: Int, outputs: Int, bias: Bool = true) throws -> TransformerEncoder.Linear {
        try TransformerEncoder.Linear(weight: floats(name + ".weight", shape: [outputs, inputs]),
                                      bias: bias ? floats(name + ".bias", shape: [outputs]) : nil, inputs: inputs, outputs: outputs)
    }

    public func layerNorm(_ name: String, width: Int, epsilon: Float) throws -> TransformerEncoder.LayerNorm {
        try TransformerEncoder.LayerNorm(weight: floats(name + ".weight", shape: [width]), bias: floats(name + ".bias", shape: [width]),
                                         epsilon: epsilon)
    }
}
