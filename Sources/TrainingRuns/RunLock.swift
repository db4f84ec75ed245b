import Basics
import Foundation

/// An exclusive lock on one run directory (`flock` on `RUN/.lock`), so that no two processes
/// ever write one run. `train` and `image train` take it before anything else (rank 0 of an
/// MPI job alone), the experiment runner for each run it starts. The file holds the pids of
/// its holders; the lock goes when the last process holding the descriptor (the runner, or
/// the training child it was handed to) exits, however it exits: `kill -9` leaves no stale lock.
///
/// A process started with the descriptor already open and its number in
/// `TTUR_RUN_LOCK_FD` (the experiment runner's children) adopts that lock instead of
/// contending with its own parent.
public final class RunLock {
    /// The environment variable naming an inherited lock descriptor.
    public static let inheritedDescriptorVariable = "TTUR_RUN_LOCK_FD"

    public let file: URL
    /// The open descriptor (close-on-exec; `ChildProcess` hands it to one child).
    public let descriptor: Int32
    /// Whether taking the lock created the run directory.
    public let createdDirectory: Bool

    /// Takes the lock of the run in `run`, creating the directory.
    /// - throws: `LocatedError` naming the holder's pid when another process holds it.
    public init(run: URL) throws {
        file = run.appendingPathComponent(".lock")
        if let inherited = Self.inheritedDescriptor(for: file) {
            descriptor = inherited
            createdDirectory = false
            return
        }
        createdDirectory = !FileManager.default.fileExists(atPath: run.path)
        try RunDirectory.create(run)
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocatedError(file: file.path, "cannot open the lock: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw LocatedError(file: file.path, "cannot lock: \(String(cString: strerror(reason)))")
            }
            throw LocatedError(file: run.path, "is being trained by another process (\(Self.holders(of: file)); lock \(file.path))")
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

    /// Undoes the directory that taking the lock created, when nothing else was written into
    /// it (a new run that failed before it began leaves no trace).
    public func removeCreatedDirectory() {
        guard createdDirectory else { return }
        let directory = file.deletingLastPathComponent()
        guard (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) == [file.lastPathComponent] else { return }
        unlink(file.path)
        rmdir(directory.path)
    }

    /// Who holds the lock, as its file says. The holder writes its pid right after taking the
    /// lock, so an empty file is given a moment (up to 0.5 s) before "pid unknown".
    private static func holders(of file: URL) -> String {
        for attempt in 0..<50 {
            if attempt > 0 { usleep(10_000) }
            let text = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if !text.isEmpty { return text }
        }
        return "pid unknown"
    }

    /// The descriptor named by `TTUR_RUN_LOCK_FD` when it is open on `file` itself (same
    /// device and inode) and holds its lock (`flock` on the same open file is granted again);
    /// nil otherwise, and then the variable is ignored.
    private static func inheritedDescriptor(for file: URL) -> Int32? {
        guard let text = ProcessInfo.processInfo.environment[inheritedDescriptorVariable],
              let fd = Int32(text), fd > 2 else { return nil }
        var open = stat(), named = stat()
        guard fstat(fd, &open) == 0, stat(file.path, &named) == 0,
              open.st_dev == named.st_dev, open.st_ino == named.st_ino,
              flock(fd, LOCK_EX | LOCK_NB) == 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }
}
