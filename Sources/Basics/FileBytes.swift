import Foundation

/// Reading whole files for the binary readers.
public enum FileBytes {
    /// The bytes of `url`, memory-mapped. An empty regular file gives empty `Data` without
    /// Foundation's read path, which leaks its 4 KiB buffer on empty files (found by
    /// LeakSanitizer under `make fuzz-libfuzzer`).
    public static func mapped(_ url: URL) throws -> Data {
        var info = stat()
        if stat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size == 0 { return Data() }
        return try Data(contentsOf: url, options: .alwaysMapped)
    }

    /// The bytes of `url`, or a `LocatedError` naming it: "no such file", or the system's reason.
    /// - Parameter what: what the file is, for the message ("weights", …).
    public static func read(_ url: URL, what: String = "") throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw LocatedError(file: url.path, "no such file")
        }
        do {
            return try mapped(url)
        } catch {
            throw LocatedError(file: url.path, "cannot read\(what.isEmpty ? "" : " " + what): \(error.localizedDescription)")
        }
    }
}
