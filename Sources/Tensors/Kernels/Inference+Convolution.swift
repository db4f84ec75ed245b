extension Inference {
    /// A forward-only convolution with a bias and a fused ReLU on channels-last maps:
    /// rectangular kernels (1×7, 7×1), separate strides and paddings per axis.
    ///
    /// A 1×1 stride-1 convolution is one `sgemm` over the input itself; any other is im2col of
    /// a block of output pixels (columns ordered ky, kx, input channel) times the weights,
    /// block by block so the scratch matrix stays bounded.
    public struct Convolution {
        public let inChannels: Int
        public let outChannels: Int
        public let kernel: (height: Int, width: Int)
        public let stride: (height: Int, width: Int)
        public let padding: (height: Int, width: Int)
        /// `[outChannels][ky][kx][inChannels]`.
        public let weights: [Float]
        /// `[outChannels]`, added before the ReLU.
        public let bias: [Float]

        /// Weights already laid out `[out][ky][kx][in]`.
        public init(inChannels: Int, outChannels: Int, kernel: (height: Int, width: Int),
                    stride: (height: Int, width: Int) = (1, 1), padding: (height: Int, width: Int) = (0, 0),
                    weights: [Float], bias: [Float]) {
            precondition(weights.count == outChannels * kernel.height * kernel.width * inChannels
                         && bias.count == outChannels, "convolution weights or bias of the wrong size")
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            self.weights = weights
            self.bias = bias
        }

        /// A PyTorch convolution without bias (weights `[out, in, kh, kw]`) followed by an
        /// eval-mode BatchNorm2d, folded: the scale γ/√(var + eps) into the weights, the shift
        /// β − mean·scale into the bias (computed in float64 and rounded once).
        public init(convolutionWeights: [Float], shape: [Int], gamma: [Float], beta: [Float],
                    runningMean: [Float], runningVariance: [Float], epsilon: Double,
                    stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) {
            precondition(shape.count == 4)
            let (out, input, kh, kw) = (shape[0], shape[1], shape[2], shape[3])
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
            self.init(inChannels: input, outChannels: out, kernel: (kh, kw), stride: stride, padding: padding,
                      weights: folded, bias: shift)
        }

        var columns: Int { kernel.height * kernel.width * inChannels }

        public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
            ((height + 2 * padding.height - kernel.height) / stride.height + 1,
             (width + 2 * padding.width - kernel.width) / stride.width + 1)
        }

        /// A new map holding this convolution (+ bias, ReLU) of `input`.
        public func callAsFunction(_ input: FeatureMap) -> FeatureMap {
            let size = outputSize(height: input.height, width: input.width)
            let output = FeatureMap(batch: input.batch, height: size.height, width: size.width, channels: outChannels)
            apply(input, into: output, channelOffset: 0)
            return output
        }

        /// Writes the result into channels `channelOffset ..< channelOffset + outChannels` of
        /// `output` (a concatenation buffer), leaving its other channels alone.
        public func apply(_ input: FeatureMap, into output: FeatureMap, channelOffset: Int) {
            precondition(input.channels == inChannels, "convolution expects \(inChannels) channels, got \(input.channels)")
            let size = outputSize(height: input.height, width: input.width)
            precondition(output.height == size.height && output.width == size.width && output.batch == input.batch
                         && channelOffset + outChannels <= output.channels)
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
                    im2colRows(input.pointer, height: input.height, width: input.width, channels: inChannels,
                               kernel: kernel, stride: stride, padding: padding, outputSize: size,
                               rows: start..<end, into: scratch.pointer)
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
}

/// Rows `rows` of the im2col matrix of a channels-last batch `[batch, height, width, channels]`
/// for a `kernel.height × kernel.width` convolution: row (b, y, x) (b·Ho·Wo + y·Wo + x) holds the
/// patch at (y·sh − ph, x·sw − pw), columns ordered (ky, kx, c), zeros outside the input.
/// Row `rows.lowerBound` is written at `cols`. Shared by the training convolution
/// (`Convolution2DKernels`, square, all rows) and `Inference.Convolution` (blocks of rows).
func im2colRows(_ input: UnsafePointer<Float>, height inputHeight: Int, width inputWidth: Int, channels c: Int,
                kernel: (height: Int, width: Int), stride: (height: Int, width: Int),
                padding: (height: Int, width: Int), outputSize size: (height: Int, width: Int),
                rows: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
    let (kh, kw) = kernel
    let (sh, sw) = stride
    let (ph, pw) = padding
    let K = kh * kw * c
    let perImage = size.height * size.width
    parallelRanges(rows.count, minimumPerThread: 64) { local in
        for offset in local {
            let pixel = rows.lowerBound + offset
            let image = pixel / perImage
            let y = (pixel % perImage) / size.width
            let x = pixel % size.width
            var target = cols + offset * K
            for ky in 0..<kh {
                let iy = y * sh - ph + ky
                if iy < 0 || iy >= inputHeight {
                    target.update(repeating: 0, count: kw * c)
                    target += kw * c
                    continue
                }
                let rowBase = input + ((image * inputHeight + iy) * inputWidth) * c
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
