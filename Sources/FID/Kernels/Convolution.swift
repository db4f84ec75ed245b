import Foundation
import Tensors

/// A convolution with batch-norm (eval mode) folded in and a fused ReLU: pytorch-fid's
/// BasicConv2d (conv without bias → BatchNorm2d(eps 0.001) → ReLU), inference only.
///
/// Channels-last: a 1×1 stride-1 convolution is one `sgemm` over the input itself; any other
/// is im2col of a block of output pixels (columns ordered ky, kx, input channel) times the
/// weights, block by block so the scratch matrix stays bounded.
struct Convolution {
    let inChannels: Int
    let outChannels: Int
    let kernel: (height: Int, width: Int)
    let stride: (height: Int, width: Int)
    let padding: (height: Int, width: Int)
    /// `[outChannels][ky][kx][inChannels]`, batch-norm scale folded in.
    let weights: [Float]
    /// Batch-norm shift: β − mean·γ/√(var + eps).
    let bias: [Float]

    /// Folds batch-norm into `convolutionWeights` (PyTorch layout `[out, in, kh, kw]`).
    /// The fold is computed in float64 and rounded once.
    init(convolutionWeights: [Float], shape: [Int], gamma: [Float], beta: [Float],
         runningMean: [Float], runningVariance: [Float], epsilon: Double,
         stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) {
        precondition(shape.count == 4)
        let (out, input, kh, kw) = (shape[0], shape[1], shape[2], shape[3])
        inChannels = input
        outChannels = out
        kernel = (kh, kw)
        self.stride = stride
        self.padding = padding
        var folded = [Float](repeating: 0, count: out * kh * kw * input)
        var shift = [Float](repeating: 0, count: out)
        for o in 0..<out {
            let scale = Double(gamma[o]) / (Double(runningVariance[o]) + epsilon).squareRoot()
            shift[o] = Float(Double(beta[o]) - Double(runningMean[o]) * scale)
            for i in 0..<input {
                for y in 0..<kh {
                    for x in 0..<kw {
                        let value = Double(convolutionWeights[((o * input + i) * kh + y) * kw + x]) * scale
                        folded[((o * kh + y) * kw + x) * input + i] = Float(value)
                    }
                }
            }
        }
        weights = folded
        bias = shift
    }

    var columns: Int { kernel.height * kernel.width * inChannels }

    func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding.height - kernel.height) / stride.height + 1,
         (width + 2 * padding.width - kernel.width) / stride.width + 1)
    }

    /// A new map holding this convolution (+ bias, ReLU) of `input`.
    func callAsFunction(_ input: FeatureMap) -> FeatureMap {
        let size = outputSize(height: input.height, width: input.width)
        let output = FeatureMap(batch: input.batch, height: size.height, width: size.width, channels: outChannels)
        apply(input, into: output, channelOffset: 0)
        return output
    }

    /// Writes the result into channels `channelOffset ..< channelOffset + outChannels` of
    /// `output` (a concatenation buffer), leaving its other channels alone.
    func apply(_ input: FeatureMap, into output: FeatureMap, channelOffset: Int) {
        precondition(input.channels == inChannels, "convolution expects \(inChannels) channels, got \(input.channels)")
        let size = outputSize(height: input.height, width: input.width)
        precondition(output.height == size.height && output.width == size.width && output.batch == input.batch)
        let rows = output.pixels
        let ldc = output.channels
        let destination = output.pointer + channelOffset
        let K = columns
        let pointwise = kernel == (1, 1) && stride == (1, 1) && padding == (0, 0)
        // Blocks of output rows small enough that the im2col block, OpenBLAS's packed copy of
        // it and the block of results stay in cache between im2col, GEMM and the epilogue.
        let blockRows = max(16, min(rows, Self.blockFloats / max(K, outChannels)))
        let scratch = pointwise ? nil : FeatureMap(batch: 1, height: 1, width: blockRows, channels: K)
        var start = 0
        while start < rows {
            let end = min(rows, start + blockRows)
            let a: UnsafePointer<Float>
            if let scratch {
                im2col(input, rows: start..<end, outputSize: size, into: scratch.pointer)
                a = UnsafePointer(scratch.pointer)
            } else {
                a = UnsafePointer(input.pointer + start * inChannels)
            }
            weights.withUnsafeBufferPointer { w in
                sgemm(transposeA: false, transposeB: true, m: end - start, n: outChannels, k: K,
                      a: a, lda: K, b: w.baseAddress!, ldb: K, c: destination + start * ldc, ldc: ldc)
            }
            addBiasAndRectify(destination, rows: start..<end, ldc: ldc)
            start = end
        }
    }

    /// Floats per im2col block (2 MiB; 1–4 MiB measured alike, 16 MiB slower).
    static let blockFloats = 1 << 19

    /// Rows `rows` of the im2col matrix: one per output pixel (image, y, x), zeros outside
    /// the padded input.
    private func im2col(_ input: FeatureMap, rows: Range<Int>, outputSize size: (height: Int, width: Int),
                        into scratch: UnsafeMutablePointer<Float>) {
        let K = columns
        let c = inChannels
        let (kh, kw) = kernel
        let (sh, sw) = stride
        let (ph, pw) = padding
        let (inputHeight, inputWidth) = (input.height, input.width)
        let source = input.pointer
        let perImage = size.height * size.width
        parallelRanges(rows.count, minimumPerThread: 64) { local in
            for offset in local {
                let pixel = rows.lowerBound + offset
                let image = pixel / perImage
                let y = (pixel % perImage) / size.width
                let x = pixel % size.width
                var target = scratch + offset * K
                for ky in 0..<kh {
                    let iy = y * sh - ph + ky
                    if iy < 0 || iy >= inputHeight {
                        target.update(repeating: 0, count: kw * c)
                        target += kw * c
                        continue
                    }
                    let rowBase = source + ((image * inputHeight + iy) * inputWidth) * c
                    for kx in 0..<kw {
                        let ix = x * sw - pw + kx
                        if ix < 0 || ix >= inputWidth {
                            target.update(repeating: 0, count: c)
                        } else {
                            target.update(from: rowBase + ix * c, count: c)
                        }
                        target += c
                    }
                }
            }
        }
    }

    private func addBiasAndRectify(_ destination: UnsafeMutablePointer<Float>, rows: Range<Int>, ldc: Int) {
        bias.withUnsafeBufferPointer { shift in
            let shift = shift
            let n = outChannels
            parallelRanges(rows.count, minimumPerThread: 256) { local in
                for row in local {
                    let line = destination + (rows.lowerBound + row) * ldc
                    for channel in 0..<n { line[channel] = max(line[channel] + shift[channel], 0) }
                }
            }
        }
    }
}
