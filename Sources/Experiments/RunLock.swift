import Basics
import Foundation

/// An exclusive lock on one run directory (`flock` on `RUN/.lock`), so that no two processes
/// ever train one run. The file holds the pids of its holders; the lock goes when the last
/// process holding the descriptor (the runner, or the training child it was handed to) exits,
/// however it exits.
public final class RunLock {
    public let file: URL
    /// The open descriptor (close-on-exec; `ChildProcess` hands it to one child).
    public let descriptor: Int32

    /// Takes the lock of the run in `run`, creating the directory.
    /// - throws: `LocatedError` naming the holder's pid when another process holds it.
    public init(run: URL) throws {
        file = run.appendingPathComponent(".lock")
        do { try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true) } catch {
            throw LocatedError(file: run.path, "cannot create the run directory: \(error.localizedDescription)")
        }
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocatedError(file: file.path, "cannot open the lock: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw LocatedError(file: file.path, "cannot lock: \(String(cString: strerror(reason)))")
            }
            throw LocatedError(file: run.path, "is being trained by another process (\(holder.map { $0.isEmpty ? "pid unknown" : $0 } ?? "pid unknown"); lock \(file.path))")
        }
        descriptor = fd
        record("pid \(getpid())")
    }

    /// Writes who holds the lock ("pid 12 (runner), pid 13 (training)") into the file.
    public func record(_ holders: String) {
        _ = ftruncate(descriptor, 0)
        let bytes = Array((holders + "\n").utf8)
        _ = pwrite(descriptor, bytes, bytes.count, 0)
    }

    deinit { close(descriptor) }
}
