import Foundation
import Layers
import Tensors

/// Trains the FID feature classifier on a labelled dataset (cross-entropy, Adam) and measures
/// its accuracy on held-out images.
public enum ClassifierTraining {
    public struct Options: Sendable {
        public var epochs = 3
        public var batch = 64
        public var learningRate: Float = 1e-3
        public var imageSize = 32
        public var seed: UInt64 = 0
        public var threads = 2
        public init() {}
    }

    public struct EpochReport: Sendable {
        public var epoch: Int
        public var meanLoss: Double
        public var testAccuracy: Double
        public var seconds: Double
    }

    /// - Parameters:
    ///   - step: called after every batch with (epoch, batch index, batches per epoch, loss).
    ///   - epochDone: called after each epoch with its test accuracy.
    /// - throws: `ImageGANError` when either set lacks labels or they disagree in channels.
    public static func train(on train: TrainingImages, test: TrainingImages, options: Options,
                             step: (Int, Int, Int, Double) -> Void = { _, _, _, _ in },
                             epochDone: (EpochReport) -> Void = { _ in }) throws -> (FeatureClassifier, Double) {
        guard let labels = train.labels, let testLabels = test.labels else {
            throw ImageGANError("\(train.labels == nil ? train.name : test.name): the feature classifier needs class labels")
        }
        guard train.channels == test.channels else {
            throw ImageGANError("\(test.name) has \(test.channels) channel(s), \(train.name) has \(train.channels)")
        }
        guard train.count >= options.batch else {
            throw ImageGANError("\(train.name): \(train.count) images, fewer than one batch of \(options.batch)")
        }
        let classes = Int((labels + testLabels).max() ?? 0) + 1
        Engine.setThreads(options.threads)
        var random = RandomSource(seed: options.seed)
        let classifier = FeatureClassifier(.init(imageSize: options.imageSize, channels: train.channels, classes: max(classes, 2)),
                                           random: &random)
        let optimizer = Adam(parameters: classifier.parameters, learningRate: options.learningRate)
        let batches = train.count / options.batch
        var accuracy = 0.0
        for epoch in 1...max(options.epochs, 1) {
            let started = Date()
            var order = Array(0..<train.count)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, random.nextInt(below: i + 1)) }
            var total = 0.0
            for index in 0..<batches {
                let chosen = Array(order[(index * options.batch)..<((index + 1) * options.batch)])
                let images = Tensor(train.batch(indices: chosen, size: options.imageSize),
                                    shape: [chosen.count, options.imageSize, options.imageSize, train.channels])
                let targets = Tensor.oneHot(chosen.map { Int(labels[$0]) }, shape: [chosen.count], depth: classifier.shape.classes)
                let loss = -(classifier(images).logSoftmax() * targets).sum() * (1 / Float(chosen.count))
                optimizer.update(with: Autodiff.gradients(of: loss, withRespectTo: classifier.parameters))
                total += Double(loss.item)
                step(epoch, index + 1, batches, Double(loss.item))
            }
            accuracy = Self.accuracy(of: classifier, on: test, labels: testLabels, size: options.imageSize)
            epochDone(EpochReport(epoch: epoch, meanLoss: total / Double(max(batches, 1)), testAccuracy: accuracy,
                                  seconds: Date().timeIntervalSince(started)))
        }
        return (classifier, accuracy)
    }

    /// The fraction of `data` whose most likely class is its label.
    public static func accuracy(of classifier: FeatureClassifier, on data: TrainingImages, labels: [UInt8],
                                size: Int) -> Double {
        var correct = 0
        for start in stride(from: 0, to: data.count, by: 500) {
            let indices = Array(start..<min(data.count, start + 500))
            let images = Tensor(data.batch(indices: indices, size: size), shape: [indices.count, size, size, data.channels])
            let logits = withoutGrad { classifier(images) }.scalars
            let classes = classifier.shape.classes
            for (row, index) in indices.enumerated() {
                let scores = logits[(row * classes)..<((row + 1) * classes)]
                let predicted = scores.indices.max { scores[$0] < scores[$1] }! - row * classes
                if predicted == Int(labels[index]) { correct += 1 }
            }
        }
        return Double(correct) / Double(max(data.count, 1))
    }
}
