import Corpus
import FID
import Foundation
import ImageData
import Tensors

/// One reader of untrusted bytes: it must return or throw, never crash, hang or leak.
struct FuzzTarget {
    let name: String
    /// The file name the reader sees (some readers decide the format by its suffix).
    let fileName: String
    let read: (URL) throws -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "safetensors", fileName: "input.safetensors") { url in
            let file = try SafeTensorsFile(contentsOf: url)
            for entry in file.tensors.values { _ = entry.floats() }
        },
        FuzzTarget(name: "pth", fileName: "input.pth") { url in _ = try TorchCheckpoint(contentsOf: url) },
        FuzzTarget(name: "npz", fileName: "input.npz") { url in _ = try FeatureStatistics(contentsOf: url) },
        FuzzTarget(name: "npy", fileName: "input.npy") { url in _ = try NumpyArray(npy: try FileBytes.mapped(url)) },
        FuzzTarget(name: "idx", fileName: "input-idx3-ubyte") { url in _ = try IDX.readImages(url) },
        FuzzTarget(name: "cifar", fileName: "data_batch_1.bin") { url in
            let data = try CIFAR10.load(files: [url], name: "fuzz")
            _ = data.batch(indices: Array(data.indices.prefix(4)), size: 32)
        },
        FuzzTarget(name: "png", fileName: "input.png") { url in _ = try RGBImage(contentsOf: url) },
        FuzzTarget(name: "jpeg", fileName: "input.jpg") { url in _ = try RGBImage(contentsOf: url) },
        FuzzTarget(name: "zstd", fileName: "news.en-00001-of-00100.zst") { url in
            _ = try ShardCheck.decompressedSize(ofShard: url.path)
        },
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// Runs a target on bytes through a file in a per-process scratch directory (the readers
/// take paths, as users give them).
struct FuzzRunner {
    let target: FuzzTarget
    let file: URL

    init(target: FuzzTarget) {
        self.target = target
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let directory = URL(fileURLWithPath: base).appendingPathComponent("ttur-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        file = directory.appendingPathComponent(target.fileName)
    }

    /// The reader's error, or nil when it accepted the input.
    @discardableResult
    func run(_ bytes: UnsafeRawBufferPointer) -> Error? {
        guard (try? Data(bytes).write(to: file)) != nil else { fatalError("cannot write \(file.path)") }
        do { try target.read(file) } catch { return error }
        return nil
    }
}
