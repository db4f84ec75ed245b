import Tensors

/// A parameter set in PyTorch's names, shapes and element order.
public typealias TorchState = [String: (shape: [Int], values: [Float])]

extension ParameterContainer {
    /// The parameters and buffers in PyTorch's layout, keyed by reference name.
    public func torchState() -> TorchState {
        var state: TorchState = [:]
        for parameter in namedParameters + namedBuffers {
            state[parameter.name] = (parameter.layout.torchShape(internal: parameter.tensor.shape),
                                     parameter.layout.toTorch(parameter.tensor.scalars))
        }
        return state
    }

    /// Overwrites every parameter and buffer from a PyTorch-layout state; all must be present
    /// with the right shapes, or nothing is changed.
    /// - throws: `LocatedError` naming the missing or mis-shaped parameter.
    public func load(torchState state: TorchState, prefix: String = "") throws {
        var converted: [(Tensor, [Float])] = []
        for parameter in namedParameters + namedBuffers {
            guard let entry = state[prefix + parameter.name] else {
                throw LocatedError("missing parameter \(prefix + parameter.name)")
            }
            let expected = parameter.layout.torchShape(internal: parameter.tensor.shape)
            guard entry.shape == expected, entry.values.count == parameter.tensor.count else {
                throw LocatedError(                    "parameter \(prefix + parameter.name) has shape \(entry.shape), expected \(expected)")
            }
            converted.append((parameter.tensor, parameter.layout.fromTorch(entry.values)))
        }
        for (tensor, values) in converted { values.withUnsafeBufferPointer { tensor.assign($0) } }
    }
}
