/// Reverse-mode differentiation over the recorded graph.
///
/// Only the part of the graph between `output` and the requested tensors is walked, and
/// each rule is told which of its inputs lead there: asking for the generator's gradients
/// never computes the critic's weight gradients, and asking for an input gradient never
/// computes any weight gradient.
public enum Autodiff {
    /// Gradients of `output` with respect to each of `inputs` (zeros where unconnected).
    ///
    /// - Parameters:
    ///   - seed: the gradient of `output` (default: ones, i.e. differentiate `sum(output)`).
    ///   - createGraph: record the backward pass itself, so the returned gradients can be
    ///     differentiated again (PyTorch's `create_graph=True`).
    public static func gradients(of output: Tensor, withRespectTo inputs: [Tensor],
                                 seed: Tensor? = nil, createGraph: Bool = false) -> [Tensor] {
        let targets = Set(inputs.map { ObjectIdentifier($0) })
        let order = topologicalOrder(from: output)

        // A tensor is relevant when it is a target or some input of its node is relevant.
        var relevant = Set<ObjectIdentifier>()
        for tensor in order {
            let id = ObjectIdentifier(tensor)
            if targets.contains(id) { relevant.insert(id); continue }
            if let node = tensor.node, node.inputs.contains(where: { relevant.contains(ObjectIdentifier($0)) }) {
                relevant.insert(id)
            }
        }

        var gradients: [ObjectIdentifier: Tensor] = [:]
        let initial = seed ?? Tensor.ones(output.shape)
        precondition(initial.shape == output.shape, "seed \(initial.shape) for output \(output.shape)")
        gradients[ObjectIdentifier(output)] = initial

        GradMode.with(createGraph) {
            for tensor in order.reversed() {
                let id = ObjectIdentifier(tensor)
                guard let node = tensor.node, relevant.contains(id),
                      let gradient = gradients[id] else { continue }
                if !targets.contains(id) { gradients[id] = nil }  // free as we go
                let needs = node.inputs.map { $0.requiresGrad && relevant.contains(ObjectIdentifier($0)) }
                let inputGradients = node.backward(gradient, tensor, needs)
                for (index, input) in node.inputs.enumerated() where needs[index] {
                    guard let contribution = inputGradients[index] else { continue }
                    precondition(contribution.shape == input.shape,
                                 "\(node.name): gradient \(contribution.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if let existing = gradients[key] {
                        gradients[key] = existing + contribution
                    } else {
                        gradients[key] = contribution
                    }
                }
            }
        }
        return inputs.map { input in
            if let gradient = gradients[ObjectIdentifier(input)] {
                return createGraph ? gradient : gradient.detached()
            }
            return Tensor.zeros(input.shape)
        }
    }

    /// Tensors reachable from `output` through tensors that require gradients, inputs
    /// before the tensors computed from them.
    static func topologicalOrder(from output: Tensor) -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: deep graphs must not overflow the stack.
        var stack: [(Tensor, Bool)] = [(output, false)]
        while let (tensor, expanded) = stack.popLast() {
            let id = ObjectIdentifier(tensor)
            if expanded { order.append(tensor); continue }
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((tensor, true))
            if let node = tensor.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        return order
    }
}

extension Tensor {
    /// Accumulates d(self)/d(parameter) into each parameter's `grad` (PyTorch's
    /// `backward()` restricted to `parameters`), seeding with ones.
    public func backward(into parameters: [Tensor]) {
        let gradients = Autodiff.gradients(of: self, withRespectTo: parameters)
        for (parameter, gradient) in zip(parameters, gradients) {
            if let existing = parameter.grad {
                parameter.grad = withoutGrad { existing + gradient }
            } else {
                parameter.grad = gradient
            }
        }
    }
}
