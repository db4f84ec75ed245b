import Basics
import Foundation

/// The CIFAR-10 binary release (`cifar-10-binary.tar.gz`, unpacked): `data_batch_1.bin` …
/// `data_batch_5.bin` (training) and `test_batch.bin`, each a run of 3,073-byte records: a
/// label byte, then the 32×32 red, green and blue planes.
public enum CIFAR10 {
    public static let side = 32
    public static let recordSize = 1 + 3 * 32 * 32
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]

    /// The batch files of `split` under `directory` (or its `cifar-10-batches-bin` folder).
    public static func files(in directory: URL, split: DatasetSplit) -> [URL] {
        let nested = directory.appendingPathComponent("cifar-10-batches-bin")
        let root = FileManager.default.fileExists(atPath: nested.path) ? nested : directory
        let names = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        return names.map { root.appendingPathComponent($0) }
    }

    /// One split as a dataset, HWC with 3 channels.
    /// - throws: `LocatedError` naming the file: missing, not whole records, a label ≥ 10,
    ///   more records than `bound` allows.
    public static func load(directory: URL, split: DatasetSplit, bound: ImageDataBound = .default) throws -> ImageDataset {
        try load(files: files(in: directory, split: split), name: "cifar10:\(directory.path) (\(split))", bound: bound)
    }

    /// The records of `files`, in order, as one dataset.
    public static func load(files: [URL], name: String, bound: ImageDataBound = .default) throws -> ImageDataset {
        // Every size is checked before anything is allocated; the files are memory-mapped.
        let batches = try files.map { url -> Data in
            let data = try FileBytes.read(url)
            guard !data.isEmpty, data.count % recordSize == 0 else {
                throw LocatedError(file: url.path, "size mismatch: \(data.count) bytes is not a whole number of \(recordSize)-byte records (a label byte and 3×32×32 pixels)")
            }
            return data
        }
        let total = batches.reduce(0) { $0 + $1.count / recordSize }
        try bound.check(total, of: 3 * side * side, in: files.count == 1 ? files[0].path : name)
        let plane = side * side
        var pixels = [UInt8](repeating: 0, count: total * 3 * plane)
        var labels = [UInt8](repeating: 0, count: total)
        var done = 0
        for (url, data) in zip(files, batches) {
            let records = data.count / recordSize
            let badRecord: Int? = data.withUnsafeBytes { raw in
                pixels.withUnsafeMutableBufferPointer { target in
                    let bytes = raw.bindMemory(to: UInt8.self)
                    var bad: Int?
                    for record in 0..<records {
                        let base = record * recordSize
                        let label = bytes[base]
                        if label >= 10 && bad == nil { bad = record }
                        labels[done + record] = label
                        // CHW planes to HWC.
                        var to = (done + record) * 3 * plane
                        for pixel in 0..<plane {
                            target[to] = bytes[base + 1 + pixel]
                            target[to + 1] = bytes[base + 1 + plane + pixel]
                            target[to + 2] = bytes[base + 1 + 2 * plane + pixel]
                            to += 3
                        }
                    }
                    return bad
                }
            }
            if let record = badRecord {
                throw LocatedError(file: url.path, offset: record * recordSize,
                                     "label \(data[data.startIndex + record * recordSize]) of record \(record) is not a CIFAR-10 class (0…9)")
            }
            done += records
        }
        return try ImageDataset(name: name, count: total, height: side, width: side, channels: 3,
                                pixels: pixels, labels: labels, classCount: 10, classNames: classNames)
    }
}
