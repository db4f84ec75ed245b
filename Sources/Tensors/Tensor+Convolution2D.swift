// 2-D convolutions on channels-last images, closed under differentiation like the 1-D family:
// each operation's chain rule is written with the other two, so gradients of gradients work.

/// A square k×k convolution's stride and zero padding (equal on every side, as PyTorch's
/// `padding=p`).
public struct Convolution2DGeometry: Equatable, Hashable, Sendable, Codable {
    public let kernel: Int, stride: Int, padding: Int

    public init(kernel: Int, stride: Int = 1, padding: Int = 0) {
        precondition(kernel >= 1 && stride >= 1 && padding >= 0 && padding < kernel,
                     "convolution geometry kernel \(kernel) stride \(stride) padding \(padding)")
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    /// The output extent of an input extent (PyTorch's ⌊(n + 2p − k)/s⌋ + 1).
    public func outputExtent(_ input: Int) -> Int { (input + 2 * padding - kernel) / stride + 1 }
}

extension Tensor {
    /// self [B, H, W, in] ⊛ weight [k, k, in, out] (+ bias [out]) → [B, Ho, Wo, out].
    public func conv2d(weight: Tensor, bias: Tensor? = nil, geometry: Convolution2DGeometry) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[0] == geometry.kernel
                     && weight.shape[1] == geometry.kernel && weight.shape[2] == shape[3]
                     && shape[1] + 2 * geometry.padding >= geometry.kernel
                     && shape[2] + 2 * geometry.padding >= geometry.kernel,
                     "conv2d of input \(shape) with weight \(weight.shape), \(geometry)")
        let sizes = Convolution2DKernels.Sizes(batch: shape[0], height: shape[1], width: shape[2],
                                               inChannels: shape[3], outChannels: weight.shape[3], geometry: geometry)
        let out = Storage(count: sizes.rows * sizes.outChannels)
        var beta: Float = 0
        if let bias {
            precondition(bias.shape == [sizes.outChannels], "conv2d bias \(bias.shape) for \(sizes.outChannels) channels")
            for row in 0..<sizes.rows {
                (out.pointer + row * sizes.outChannels).update(from: bias.storage.pointer, count: sizes.outChannels)
            }
            beta = 1
        }
        Convolution2DKernels.forward(input: storage.pointer, weight: weight.storage.pointer, sizes, beta: beta,
                                     out: out.pointer)
        let x = self
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.result("conv2d", shape: [sizes.batch, sizes.outHeight, sizes.outWidth, sizes.outChannels],
                             storage: out, inputs: inputs) { g, _, needs in
            [needs[0] ? g.conv2dInputGradient(weight: weight, geometry: geometry,
                                              height: sizes.height, width: sizes.width) : nil,
             needs[1] ? x.conv2dWeightGradient(outputGradient: g, geometry: geometry) : nil,
             needs.count > 2 && needs[2] ? g.sum(to: [sizes.outChannels]) : nil]
        }
    }

    /// The adjoint of `conv2d` in its input, i.e. a transposed convolution: self is a gradient
    /// [B, Ho, Wo, out], weight [k, k, in, out] → [B, height, width, in]. The input extents are
    /// given because a strided convolution maps several of them to the same output extent.
    public func conv2dInputGradient(weight: Tensor, geometry: Convolution2DGeometry,
                                    height: Int, width: Int) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[3] == shape[3]
                     && weight.shape[0] == geometry.kernel && weight.shape[1] == geometry.kernel
                     && geometry.outputExtent(height) == shape[1] && geometry.outputExtent(width) == shape[2],
                     "conv2d input gradient of \(shape) with weight \(weight.shape) to \(height)×\(width), \(geometry)")
        let sizes = Convolution2DKernels.Sizes(batch: shape[0], height: height, width: width,
                                               inChannels: weight.shape[2], outChannels: shape[3], geometry: geometry)
        let out = Storage(count: sizes.batch * height * width * sizes.inChannels)
        Convolution2DKernels.inputGradient(gradient: storage.pointer, weight: weight.storage.pointer, sizes,
                                           dx: out.pointer)
        let g = self
        return Tensor.result("conv2d input gradient", shape: [sizes.batch, height, width, sizes.inChannels],
                             storage: out, inputs: [g, weight]) { u, _, needs in
            [needs[0] ? u.conv2d(weight: weight, geometry: geometry) : nil,
             needs[1] ? u.conv2dWeightGradient(outputGradient: g, geometry: geometry) : nil]
        }
    }

    /// The adjoint of `conv2d` in its weight: self is the input [B, H, W, in], `outputGradient`
    /// [B, Ho, Wo, out] → [k, k, in, out].
    public func conv2dWeightGradient(outputGradient g: Tensor, geometry: Convolution2DGeometry) -> Tensor {
        precondition(rank == 4 && g.rank == 4 && g.shape[0] == shape[0]
                     && geometry.outputExtent(shape[1]) == g.shape[1] && geometry.outputExtent(shape[2]) == g.shape[2],
                     "conv2d weight gradient of input \(shape) and gradient \(g.shape), \(geometry)")
        let sizes = Convolution2DKernels.Sizes(batch: shape[0], height: shape[1], width: shape[2],
                                               inChannels: shape[3], outChannels: g.shape[3], geometry: geometry)
        let k = geometry.kernel
        let out = Storage(count: k * k * sizes.inChannels * sizes.outChannels)
        Convolution2DKernels.weightGradient(input: storage.pointer, gradient: g.storage.pointer, sizes, dw: out.pointer)
        let x = self
        return Tensor.result("conv2d weight gradient", shape: [k, k, sizes.inChannels, sizes.outChannels],
                             storage: out, inputs: [x, g]) { u, _, needs in
            [needs[0] ? g.conv2dInputGradient(weight: u, geometry: geometry, height: sizes.height,
                                              width: sizes.width) : nil,
             needs[1] ? x.conv2d(weight: u, geometry: geometry) : nil]
        }
    }

    /// A transposed convolution (PyTorch's `ConvTranspose2d`): self [B, h, w, in] with weight
    /// [k, k, out, in] (the weight of the convolution it transposes) → [B, height, width, out].
    /// `height`/`width` pick the output size among those the strided convolution maps to h×w
    /// (PyTorch's `output_padding`).
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, geometry: Convolution2DGeometry,
                                height: Int, width: Int) -> Tensor {
        let y = conv2dInputGradient(weight: weight, geometry: geometry, height: height, width: width)
        return bias.map { y + $0 } ?? y
    }
}
