import Layers
import Tensors

/// The small image classifier whose penultimate activations serve as FID features when the
/// Inception-v3 weights are not at hand: (5×5 stride-2 convolution, leaky ReLU 0.2) × 3 →
/// flatten → linear to `featureCount` → ReLU (the features) → linear to the classes.
/// Trained on the dataset itself by `ttur-text image features`.
public final class FeatureClassifier: ParameterContainer {
    public struct Shape: Codable, Equatable, Sendable {
        public var imageSize: Int
        public var channels: Int
        public var classes: Int
        public var width: Int
        public var featureCount: Int
        public init(imageSize: Int = 32, channels: Int = 1, classes: Int = 10, width: Int = 32, featureCount: Int = 128) {
            self.imageSize = imageSize
            self.channels = channels
            self.classes = classes
            self.width = width
            self.featureCount = featureCount
        }
    }

    public let shape: Shape
    public let stages: [Conv2D]
    public let hidden: Linear
    public let output: Linear

    public init(_ shape: Shape, random: inout RandomSource) {
        self.shape = shape
        let widths = [shape.channels, shape.width, shape.width * 2, shape.width * 4]
        let geometry = Convolution2DGeometry(kernel: 5, stride: 2, padding: 2)
        stages = (0..<3).map { index in
            let fanIn = 25 * widths[index], fanOut = 25 * widths[index + 1]
            return Conv2D(name: "classifier.stage\(index + 1)", inChannels: widths[index], outChannels: widths[index + 1],
                          geometry: geometry,
                          weight: Initializer.glorotUniform([5, 5, widths[index], widths[index + 1]], fanIn: fanIn,
                                                            fanOut: fanOut, he: true, using: &random))
        }
        var side = shape.imageSize
        for _ in 0..<3 { side = geometry.outputExtent(side) }
        hidden = Linear(name: "classifier.hidden", inFeatures: side * side * widths[3], outFeatures: shape.featureCount,
                        inputOrder: FeatureOrder(channels: widths[3], length: side * side), random: &random)
        output = Linear(name: "classifier.output", inFeatures: shape.featureCount, outFeatures: shape.classes,
                        random: &random)
    }

    /// images [B, size, size, channels] in [−1, 1] → features [B, featureCount] (≥ 0).
    public func features(_ images: Tensor) -> Tensor {
        var h = images
        for stage in stages { h = stage(h).leakyRelu(slope: 0.2) }
        return hidden(h.reshaped([images.shape[0], h.count / images.shape[0]])).relu()
    }

    /// images → class logits [B, classes].
    public func callAsFunction(_ images: Tensor) -> Tensor { output(features(images)) }

    public var namedParameters: [NamedParameter] {
        stages.flatMap(\.namedParameters) + hidden.namedParameters + output.namedParameters
    }
}
