/// What the trainers need of a dataset: its size and batches of images scaled to [−1, 1],
/// channels-last, padded or resized to a square `size`. `ImageData.ImageDataset` provides it.
public protocol TrainingImages {
    /// Names the data in messages and logs ("fashion-mnist train", a folder path, …).
    var name: String { get }
    var count: Int { get }
    var channels: Int { get }
    /// Class labels, where the format has them (classifier training needs them).
    var labels: [UInt8]? { get }
    /// Images `indices` as [indices.count, size, size, channels] floats in [−1, 1].
    func batch(indices: [Int], size: Int) -> [Float]
}
