/// The autodiff record of one operation: its inputs and its chain rule.
///
/// `backward` receives the gradient of the output, the output itself (several rules are
/// cheapest in terms of it) and which inputs need a gradient; it returns one gradient per
/// input (nil where not needed). Rules are written with tensor operations, so when the
/// backward pass runs with recording on, the gradients are themselves differentiable.
final class Node {
    let name: String
    let inputs: [Tensor]
    let backward: (_ gradient: Tensor, _ output: Tensor, _ needs: [Bool]) -> [Tensor?]

    init(_ name: String, _ inputs: [Tensor],
         _ backward: @escaping (_ gradient: Tensor, _ output: Tensor, _ needs: [Bool]) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Wraps freshly computed storage as the result of operation `name`, recording the
    /// operation when recording is on and some input requires gradients.
    static func result(_ name: String, shape: Shape, storage: Storage, inputs: [Tensor],
                       backward: @escaping (_ gradient: Tensor, _ output: Tensor, _ needs: [Bool]) -> [Tensor?]) -> Tensor {
        if GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) {
            return Tensor(shape: shape, storage: storage, requiresGrad: true,
                          node: Node(name, inputs, backward))
        }
        return Tensor(shape: shape, storage: storage)
    }
}
