import Corpus
import Experiments
import FID
import Foundation
import ImageData
import NGrams
import Reports
import TrainingRuns
import Tensors

/// One reader of untrusted bytes: it must return or throw, never crash, hang or leak.
struct FuzzTarget {
    let name: String
    /// The file name the reader sees (some readers decide the format by its suffix).
    let fileName: String
    /// For a file read beside others (a dataset's manifest beside its sentences): writes a
    /// valid set, this file included, into the given directory (which does not exist yet).
    /// The file as written there is also the target's seed.
    var setup: ((URL) throws -> Void)? = nil
    let read: (URL) throws -> Void

    init(name: String, fileName: String, setup: ((URL) throws -> Void)? = nil, read: @escaping (URL) throws -> Void) {
        (self.name, self.fileName, self.setup, self.read) = (name, fileName, setup, read)
    }

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
        // What ttur-text reads back from itself: the n-gram store (its table images and
        // blocks), a prepared dataset's manifest and sentences, a run's config.json, an
        // experiment's experiment.json, TensorBoard event files.
        FuzzTarget(name: "ngram-store", fileName: StoreSchema.fileName, setup: { _ = try FuzzFixtures.dataset(in: $0) }) { url in
            let store = try NGramStore(path: url)
            let ids = (0 ..< 8).map { TokenID($0 % max(store.vocabularySize, 1)) }
            _ = try store.jsd(samples: [ids, Array(ids.reversed())], maxN: store.maxN)
        },
        FuzzTarget(name: "dataset-manifest", fileName: PreparedDataset.manifestName, setup: { _ = try FuzzFixtures.dataset(in: $0) }) { url in
            let dataset = try PreparedDataset(directory: url.deletingLastPathComponent())
            if dataset.sentenceCount > 0 { _ = dataset.vocabulary.decode(ids: dataset.sentence(dataset.sentenceCount - 1)) }
        },
        FuzzTarget(name: "dataset-tokens", fileName: PreparedDataset.tokensName, setup: { _ = try FuzzFixtures.dataset(in: $0) }) { url in
            let dataset = try PreparedDataset(directory: url.deletingLastPathComponent())
            if dataset.sentenceCount > 0 { _ = dataset.vocabulary.decode(ids: dataset.sentence(dataset.sentenceCount - 1)) }
        },
        FuzzTarget(name: "run-config", fileName: "config.json", setup: { try FuzzFixtures.run(in: $0) }) { url in
            _ = try RunRecord(directory: url.deletingLastPathComponent())
        },
        FuzzTarget(name: "experiment", fileName: "experiment.json", setup: { try FuzzFixtures.experiment(in: $0) }) { url in
            _ = try ExperimentDirectory(url.deletingLastPathComponent()).configuration()
        },
        FuzzTarget(name: "events", fileName: "events.out.tfevents.fuzz", setup: { directory in
            let written = try FuzzFixtures.events(in: directory)
            try FileManager.default.moveItem(at: written, to: directory.appendingPathComponent("events.out.tfevents.fuzz"))
        }) { url in _ = try EventFile.read(url) },
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
        let directory = URL(fileURLWithPath: base).appendingPathComponent("ttur-fuzz-\(getpid())/\(target.name)")
        try? FileManager.default.removeItem(at: directory)
        do {
            if let setup = target.setup {
                try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
                try setup(directory)
            } else {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            }
        } catch {
            fatalError("cannot set up \(directory.path): \(error)")
        }
        file = directory.appendingPathComponent(target.fileName)
    }

    /// The valid file the set-up wrote (the seed of a target with a set-up).
    func setUpFile() throws -> Data { try Data(contentsOf: file) }

    /// The reader's error, or nil when it accepted the input.
    @discardableResult
    func run(_ bytes: UnsafeRawBufferPointer) -> Error? {
        guard (try? Data(bytes).write(to: file)) != nil else { fatalError("cannot write \(file.path)") }
        do { try target.read(file) } catch { return error }
        return nil
    }
}
