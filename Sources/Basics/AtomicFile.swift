import Foundation

/// Whole-file writes that either land completely or not at all.
public enum AtomicFile {
    /// Writes `data` to a temporary file in `url`'s directory, flushes it to disk, and renames
    /// it over `url`: readers (and a crash at any moment) see the old file or the new one,
    /// never a part. A failed write (a full disk, a file-size limit) removes the temporary file.
    /// - throws: `LocatedError` naming `url` and the system's reason.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        func fail(_ what: String) -> LocatedError {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            return LocatedError(file: url.path, "cannot \(what): \(reason)")
        }
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocatedError(file: url.path, "cannot write: \(String(cString: strerror(errno)))") }
        let written: Bool = data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        guard written, fsync(fd) == 0 else {
            let error = fail("write")
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw fail("write") }
        guard rename(temporary.path, url.path) == 0 else { throw fail("rename the temporary file into place") }
        // The rename itself reaches the disk with the directory.
        let directoryFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}
