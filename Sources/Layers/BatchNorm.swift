import Tensors

/// Batch normalisation over the last (channel) axis, as PyTorch's `BatchNorm1d/2d`: in
/// training, each channel is normalised with the batch's mean and biased variance and the
/// running estimates move by `momentum` (unbiased variance); in evaluation, the running
/// estimates are used. With `tracksRunningStatistics` false (PyTorch's
/// `track_running_stats=False`) it always normalises with the batch's statistics and keeps no
/// buffers, as the WGAN-GP image generator of the TTUR paper's code does, also when sampling.
public final class BatchNorm: ParameterContainer {
    public let name: String
    public let scale: Tensor, shift: Tensor
    /// Running estimates (buffers: saved, not trained).
    public let runningMean: Tensor, runningVariance: Tensor
    public let momentum: Float, epsilon: Float
    public var isTraining = true
    public let tracksRunningStatistics: Bool

    public init(name: String, channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5,
                tracksRunningStatistics: Bool = true) {
        self.name = name
        self.tracksRunningStatistics = tracksRunningStatistics
        self.momentum = momentum
        self.epsilon = epsilon
        scale = Tensor(repeating: 1, shape: [channels], requiresGrad: true)
        shift = Initializer.zeros([channels])
        runningMean = Tensor.zeros([channels])
        runningVariance = Tensor.ones([channels])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let channels = scale.count
        precondition(x.shape[x.rank - 1] == channels, "batch norm of \(channels) channels on \(x.shape)")
        let rows = x.count / channels
        let flat = x.reshaped([rows, channels])
        let normalised: Tensor
        if isTraining || !tracksRunningStatistics {
            // Over several ranks the statistics are the global batch's (synchronised batch norm).
            let rows = rows * Collectives.current.size
            precondition(rows > 1, "batch norm with batch statistics needs more than one value per channel")
            let batch = flat.standardized(statisticsShape: [channels], epsilon: epsilon, acrossRanks: true)
            normalised = batch.normalized
            if tracksRunningStatistics && isTraining {
                update(runningMean, with: batch.mean.scalars, correction: 1)
                update(runningVariance, with: batch.variance.scalars, correction: Float(rows) / Float(rows - 1))
            }
        } else {
            normalised = (flat - runningMean) / (runningVariance + epsilon).sqrt()
        }
        return (normalised * scale + shift).reshaped(x.shape)
    }

    private func update(_ running: Tensor, with batch: [Float], correction: Float) {
        let updated = zip(running.scalars, batch).map { (1 - momentum) * $0 + momentum * $1 * correction }
        updated.withUnsafeBufferPointer { running.assign($0) }
    }

    public var namedParameters: [NamedParameter] {
        [NamedParameter(name: name + ".weight", tensor: scale, layout: .identical),
         NamedParameter(name: name + ".bias", tensor: shift, layout: .identical)]
    }

    public var namedBuffers: [NamedParameter] {
        guard tracksRunningStatistics else { return [] }
        return [NamedParameter(name: name + ".running_mean", tensor: runningMean, layout: .identical),
                NamedParameter(name: name + ".running_var", tensor: runningVariance, layout: .identical)]
    }
}
