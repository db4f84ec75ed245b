/// A float32 tensor: a shape over contiguous row-major storage, plus the autodiff record of
/// the operation that produced it.
///
/// Tensors are values in the graph sense: operations never modify their inputs. The one
/// exception is deliberate: optimisers update parameter storage in place between steps,
/// as PyTorch's do.
public final class Tensor {
    public let shape: Shape
    public let storage: Storage
    /// Whether gradients flow to (or through) this tensor.
    public let requiresGrad: Bool
    /// The operation that produced this tensor; nil for leaves (inputs, parameters, constants).
    let node: Node?
    /// Gradient accumulated by `backward(into:)`, for leaves.
    public var grad: Tensor?

    init(shape: Shape, storage: Storage, requiresGrad: Bool = false, node: Node? = nil) {
        precondition(storage.count >= shape.count, "storage of \(storage.count) floats for shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
        self.node = node
    }

    /// A leaf tensor holding `values` (row-major).
    public convenience init(_ values: [Float], shape: Shape, requiresGrad: Bool = false) {
        precondition(values.count == shape.count, "\(values.count) values for shape \(shape)")
        let storage = Storage(count: values.count)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// A leaf tensor filled with `value`.
    public convenience init(repeating value: Float, shape: Shape, requiresGrad: Bool = false) {
        self.init(shape: shape, storage: Storage(count: shape.count, repeating: value), requiresGrad: requiresGrad)
    }

    /// A scalar constant.
    public convenience init(scalar: Float) { self.init([scalar], shape: []) }

    public static func zeros(_ shape: Shape) -> Tensor { Tensor(repeating: 0, shape: shape) }
    public static func ones(_ shape: Shape) -> Tensor { Tensor(repeating: 1, shape: shape) }

    public var count: Int { shape.count }
    public var rank: Int { shape.rank }
    public var isLeaf: Bool { node == nil }

    /// The elements, row-major.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The only element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor of shape \(shape)")
        return storage.pointer[0]
    }

    /// The same values, cut from the graph (PyTorch's `detach()`).
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// The same values as a new leaf that requires gradients (`detach().requires_grad_()`).
    public func requiringGrad() -> Tensor { Tensor(shape: shape, storage: storage, requiresGrad: true) }

    /// A deep copy of the values, as a leaf.
    public func copy() -> Tensor {
        let out = Storage(count: count)
        out.pointer.update(from: storage.pointer, count: count)
        return Tensor(shape: shape, storage: out)
    }

    /// Overwrites the values in place (optimisers, checkpoint loading). Never used on tensors
    /// that an alive graph still needs.
    public func assign(_ values: UnsafeBufferPointer<Float>) {
        precondition(values.count == count, "assigning \(values.count) values to shape \(shape)")
        storage.pointer.update(from: values.baseAddress!, count: count)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(shown)\(count > 8 ? ", …" : "")]"
    }
}

import Foundation
