import Foundation

/// Adam (Kingma & Ba), updating parameter storage in place.
///
/// Two forms that differ in where ε enters:
/// - `.pytorch`: p −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)   (torch.optim.Adam)
/// - `.tensorflow`: p −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε)   (tf.train.AdamOptimizer,
///   which the paper's code used)
public final class Adam {
    public enum Form: String, Codable, Sendable { case pytorch, tensorflow }

    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public let form: Form
    /// Number of updates taken so far.
    public private(set) var step = 0
    /// First and second moment estimates, one per parameter, same shapes.
    public private(set) var firstMoments: [Tensor]
    public private(set) var secondMoments: [Tensor]

    public init(parameters: [Tensor], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, form: Form = .pytorch) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.form = form
        firstMoments = parameters.map { Tensor.zeros($0.shape) }
        secondMoments = parameters.map { Tensor.zeros($0.shape) }
    }

    /// Applies one update with `gradients` (one per parameter, same shapes). Over several
    /// ranks the gradients are first averaged (in place), so every rank takes the same step.
    public func update(with gradients: [Tensor]) {
        precondition(gradients.count == parameters.count, "\(gradients.count) gradients for \(parameters.count) parameters")
        Collectives.averageGradients(gradients)
        step += 1
        let t = Double(step)
        let correction1 = 1 - Foundation.pow(Double(beta1), t)
        let correction2 = 1 - Foundation.pow(Double(beta2), t)
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let stepSize: Float, rootCorrection2: Float
        switch form {
        case .pytorch:
            stepSize = Float(Double(learningRate) / correction1)
            rootCorrection2 = Float(correction2.squareRoot())
        case .tensorflow:
            stepSize = Float(Double(learningRate) * correction2.squareRoot() / correction1)
            rootCorrection2 = 1
        }
        for index in parameters.indices {
            let parameter = parameters[index], gradient = gradients[index]
            precondition(parameter.shape == gradient.shape, "gradient \(gradient.shape) for parameter \(parameter.shape)")
            let p = parameter.storage.pointer, g = gradient.storage.pointer
            let m = firstMoments[index].storage.pointer, v = secondMoments[index].storage.pointer
            parallelChunks(parameter.count) { range in
                for i in range {
                    let gi = g[i]
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    p[i] -= stepSize * m[i] / (v[i].squareRoot() / rootCorrection2 + eps)
                }
            }
        }
    }

    /// Restores moments and step count (from a checkpoint).
    public func restore(step: Int, firstMoments: [Tensor], secondMoments: [Tensor]) {
        precondition(firstMoments.count == parameters.count && secondMoments.count == parameters.count)
        for index in parameters.indices {
            precondition(firstMoments[index].shape == parameters[index].shape
                         && secondMoments[index].shape == parameters[index].shape)
        }
        self.step = step
        self.firstMoments = firstMoments.map { $0.copy() }
        self.secondMoments = secondMoments.map { $0.copy() }
    }
}
