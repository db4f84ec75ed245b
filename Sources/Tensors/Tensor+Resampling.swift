// 2× resampling of channels-last images [B, H, W, C]: nearest-neighbour upsampling and 2×2
// sum pooling are each other's adjoints, so each chain rule is the other operation and
// gradients of gradients need nothing more. Mean pooling is a quarter of sum pooling.

extension Tensor {
    /// Nearest-neighbour 2× upsampling (PyTorch's `F.interpolate(x, scale_factor=2,
    /// mode='nearest')`): [B, H, W, C] → [B, 2H, 2W, C], every pixel copied to a 2×2 block.
    public func upsampledNearest2x() -> Tensor {
        precondition(rank == 4, "upsampledNearest2x needs [B, H, W, C], got \(shape)")
        let (batch, height, width, channels) = (shape[0], shape[1], shape[2], shape[3])
        let out = Storage(count: count * 4)
        let source = storage.pointer, destination = out.pointer
        // One task per input row: it writes output rows 2y and 2y + 1.
        parallelFor(batch * height, minimumPerThread: 64) { row in
            let input = source + row * width * channels
            let top = destination + row * 4 * width * channels
            for x in 0..<width {
                let pixel = input + x * channels
                let left = top + 2 * x * channels
                left.update(from: pixel, count: channels)
                (left + channels).update(from: pixel, count: channels)
            }
            (top + 2 * width * channels).update(from: top, count: 2 * width * channels)
        }
        return Tensor.result("upsample nearest 2x", shape: [batch, 2 * height, 2 * width, channels], storage: out,
                             inputs: [self]) { g, _, _ in [g.sumPooled2x2()] }
    }

    /// Sums over non-overlapping 2×2 blocks: [B, H, W, C] → [B, H/2, W/2, C] (H and W even).
    /// The adjoint of `upsampledNearest2x()`.
    public func sumPooled2x2() -> Tensor {
        precondition(rank == 4 && shape[1] % 2 == 0 && shape[2] % 2 == 0,
                     "sumPooled2x2 needs [B, H, W, C] with H and W even, got \(shape)")
        let (batch, height, width, channels) = (shape[0], shape[1] / 2, shape[2] / 2, shape[3])
        let out = Storage(count: count / 4)
        let source = storage.pointer, destination = out.pointer
        let inputRow = 2 * width * channels
        parallelFor(batch * height, minimumPerThread: 64) { row in
            let top = source + row * 2 * inputRow, bottom = top + inputRow
            let output = destination + row * width * channels
            for x in 0..<width {
                let a = top + 2 * x * channels, b = bottom + 2 * x * channels, o = output + x * channels
                for c in 0..<channels { o[c] = (a[c] + a[c + channels]) + (b[c] + b[c + channels]) }
            }
        }
        return Tensor.result("sum pool 2x2", shape: [batch, height, width, channels], storage: out,
                             inputs: [self]) { g, _, _ in [g.upsampledNearest2x()] }
    }

    /// 2×2 mean pooling with stride 2 (PyTorch's `F.avg_pool2d(x, 2)`): [B, H, W, C] →
    /// [B, H/2, W/2, C]. Its chain rule is a quarter of the upsampled gradient.
    public func meanPooled2x2() -> Tensor { sumPooled2x2() * 0.25 }
}
