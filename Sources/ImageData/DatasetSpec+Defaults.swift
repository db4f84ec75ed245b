import Foundation

extension DatasetSpec {
    /// The GAN's image size when none is given: 32 for the small-image formats
    /// (Fashion-MNIST's 28 is padded), 64 for folders of photographs.
    public var defaultSize: Int {
        if case .folder = self { return 64 }
        return 32
    }

    public var isFashionMNIST: Bool {
        if case .fashionMNIST = self { return true }
        return false
    }

    /// `load(split:imageSize:bound:)`, then only the first `limit` images when a limit is
    /// given (quick experiments and tests).
    /// - throws: what `load` throws.
    public func load(split: DatasetSplit, imageSize: Int, bound: ImageDataBound, limit: Int?) throws -> ImageDataset {
        let data = try load(split: split, imageSize: imageSize, bound: bound)
        guard let limit, limit < data.count else { return data }
        let bytes = limit * data.height * data.width * data.channels
        return try ImageDataset(name: "\(data.name) (first \(limit))", count: limit, height: data.height, width: data.width,
                                channels: data.channels, pixels: Array(data.pixels.prefix(bytes)),
                                labels: data.labels.map { Array($0.prefix(limit)) }, classCount: data.classCount,
                                classNames: data.classNames)
    }
}
