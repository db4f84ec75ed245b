import Basics
import Foundation

/// Which part of a dataset: the training images or the held-out test images.
public enum DatasetSplit: String, CaseIterable, CustomStringConvertible {
    case train, test
    public var description: String { rawValue }
}

/// A dataset named on the command line:
///
/// | text | dataset |
/// | --- | --- |
/// | `fashion-mnist` (the default) | Fashion-MNIST where Debian's `dataset-fashion-mnist` installs it |
/// | `fashion-mnist:DIR` | Fashion-MNIST's four `.gz` (or unpacked) IDX files in DIR |
/// | `idx:IMAGES[,LABELS]` | any IDX image file (plain or `.gz`), with optional labels |
/// | `cifar10:DIR` | the CIFAR-10 binary release (DIR or DIR/cifar-10-batches-bin) |
/// | `folder:DIR` | PNG/JPEG images below DIR, resized and center-cropped to a square |
///
/// ```swift
/// let spec = try DatasetSpec(parsing: "cifar10:data/cifar-10-batches-bin")
/// let train = try spec.load(split: .train)
/// ```
public enum DatasetSpec: Equatable, CustomStringConvertible {
    case fashionMNIST(directory: String)
    case idx(images: String, labels: String?)
    case cifar10(directory: String)
    case folder(directory: String)

    /// Where Debian's `dataset-fashion-mnist` package puts the files.
    public static let debianFashionMNIST = "/usr/share/datasets/fashion-mnist"
    public static let `default` = DatasetSpec.fashionMNIST(directory: debianFashionMNIST)
    public static let syntax = "fashion-mnist, fashion-mnist:DIR, idx:IMAGES[,LABELS], cifar10:DIR or folder:DIR"
    public static let fashionMNISTClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// - throws: `LocatedError` for an unknown kind or a kind missing its path.
    public init(parsing text: String) throws {
        let (kind, argument): (Substring, Substring?) = {
            guard let colon = text.firstIndex(of: ":") else { return (Substring(text), nil) }
            return (text[..<colon], text[text.index(after: colon)...])
        }()
        func path(_ what: String) throws -> String {
            guard let argument, !argument.isEmpty else {
                throw LocatedError("dataset '\(text)': \(kind) needs \(what) after the colon (\(kind):\(what))")
            }
            return String(argument)
        }
        switch kind.lowercased() {
        case "", "fashion-mnist", "fashionmnist", "fashion_mnist":
            self = .fashionMNIST(directory: argument.map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? Self.debianFashionMNIST)
        case "idx":
            let value = try path("IMAGES[,LABELS]")
            if let comma = value.firstIndex(of: ",") {
                let labels = String(value[value.index(after: comma)...])
                self = .idx(images: String(value[..<comma]), labels: labels.isEmpty ? nil : labels)
            } else {
                self = .idx(images: value, labels: nil)
            }
        case "cifar10", "cifar-10":
            self = .cifar10(directory: try path("DIR"))
        case "folder":
            self = .folder(directory: try path("DIR"))
        default:
            throw LocatedError("unknown dataset kind '\(kind)' in '\(text)': expected \(Self.syntax)")
        }
    }

    /// The text `init(parsing:)` reads back to this value.
    public var description: String {
        switch self {
        case let .fashionMNIST(directory):
            return directory == Self.debianFashionMNIST ? "fashion-mnist" : "fashion-mnist:\(directory)"
        case let .idx(images, labels): return "idx:\(images)" + (labels.map { ",\($0)" } ?? "")
        case let .cifar10(directory): return "cifar10:\(directory)"
        case let .folder(directory): return "folder:\(directory)"
        }
    }

    /// Loads one split. Fashion-MNIST and CIFAR-10 have train and test files; `idx:` and
    /// `folder:` are one set of images, returned for either split. `imageSize` is the side
    /// folder images are resized and cropped to; the other kinds keep their own size
    /// (28×28×1, 32×32×3), which `ImageDataset.batch` pads or crops.
    /// Every reader checks what its files claim against `bound` before reading them.
    /// - throws: `LocatedError` naming the file that is missing, bad or beyond the bound.
    public func load(split: DatasetSplit = .train, imageSize: Int = 64, bound: ImageDataBound = .default) throws -> ImageDataset {
        switch self {
        case let .fashionMNIST(directory):
            let stem = split == .train ? "train" : "t10k"
            let base = URL(fileURLWithPath: directory)
            if !FileManager.default.fileExists(atPath: directory) && directory == Self.debianFashionMNIST {
                throw LocatedError(file: directory, "no such folder: install Debian's dataset-fashion-mnist (make deps) or name another dataset")
            }
            func file(_ kind: String) -> URL {
                // Debian ships the .gz files; an unpacked copy is read as well.
                let gz = base.appendingPathComponent("\(stem)-\(kind)-ubyte.gz")
                let plain = base.appendingPathComponent("\(stem)-\(kind)-ubyte")
                return !FileManager.default.fileExists(atPath: gz.path) && FileManager.default.fileExists(atPath: plain.path) ? plain : gz
            }
            return try IDX.load(images: file("images-idx3"), labels: file("labels-idx1"),
                                name: "fashion-mnist (\(split))", classCount: 10, classNames: Self.fashionMNISTClassNames,
                                bound: bound)
        case let .idx(images, labels):
            return try IDX.load(images: URL(fileURLWithPath: images), labels: labels.map { URL(fileURLWithPath: $0) },
                                name: description, bound: bound)
        case let .cifar10(directory):
            return try CIFAR10.load(directory: URL(fileURLWithPath: directory), split: split, bound: bound)
        case let .folder(directory):
            return try ImageFolder.loadDataset(URL(fileURLWithPath: directory), size: imageSize, bound: bound)
        }
    }
}
