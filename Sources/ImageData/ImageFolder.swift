import Basics
import Foundation

/// Images read one at a time, in a fixed order: a folder, an `.npy` array, a dataset.
public protocol ImageCollection {
    var count: Int { get }
    /// A description of where the images come from, for provenance.
    var source: String { get }
    func image(at index: Int) throws -> RGBImage
}

/// The PNG and JPEG files of a folder, in byte order of their paths relative to it.
public struct ImageFolder: ImageCollection {
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]
    public let files: [URL]
    public let source: String

    /// The folder's PNG/JPEG files: those directly inside it, or with `recursive` those in
    /// every subfolder too (hidden files and folders skipped).
    /// - throws: `LocatedError` when the folder cannot be listed or holds no PNG/JPEG files.
    public init(_ url: URL, recursive: Bool = false) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw LocatedError(file: url.path, "no such folder")
        }
        guard isDirectory.boolValue else { throw LocatedError(file: url.path, "not a folder") }
        let names: [String]
        do {
            names = recursive ? try Self.relativePaths(under: url) : try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch let error as LocatedError {
            throw error
        } catch {
            throw LocatedError(file: url.path, "cannot list the folder: \(error.localizedDescription)")
        }
        files = names.filter { Self.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { url.appendingPathComponent($0) }
        guard !files.isEmpty else {
            throw LocatedError(file: url.path, "no .png, .jpg or .jpeg images in the folder\(recursive ? " or its subfolders" : "")")
        }
        source = url.path
    }

    public var count: Int { files.count }
    public func image(at index: Int) throws -> RGBImage { try RGBImage(contentsOf: files[index]) }

    /// Paths of the regular files below `root`, relative to it.
    private static func relativePaths(under root: URL) throws -> [String] {
        var failure: Error?
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles],
            errorHandler: { url, error in failure = LocatedError(file: url.path, "cannot list: \(error.localizedDescription)"); return false })
        else { throw LocatedError(file: root.path, "cannot list the folder") }
        let depth = root.standardizedFileURL.pathComponents.count
        var paths: [String] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            // The enumerator builds each URL by appending to the root's components.
            paths.append(url.standardizedFileURL.pathComponents.dropFirst(depth).joined(separator: "/"))
        }
        if let failure { throw failure }
        return paths
    }
}
