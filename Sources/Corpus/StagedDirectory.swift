import Basics
import Foundation

/// A directory written under a temporary sibling name and renamed into place only when
/// complete, so a failure never leaves a partial output behind.
struct StagedDirectory {
    let destination: URL
    let staging: URL

    /// Creates the staging sibling (and the destination's parent, if missing).
    /// - throws: ``LocatedError`` when the destination exists but is not a prepared dataset
    ///   (it is never replaced then) or the parent is not writable.
    init(destination: URL) throws {
        self.destination = destination.standardizedFileURL
        try Self.checkReplaceable(self.destination)
        let parent = self.destination.deletingLastPathComponent()
        staging = parent.appendingPathComponent(".\(self.destination.lastPathComponent).partial-\(getpid())")
        Self.removeLeftovers(of: self.destination)
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: staging)
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw LocatedError(file: parent.path, "cannot create the output directory here: \(Self.reason(error))")
        }
        // An unwritable directory can still be created by root; prove we can write into it.
        if access(staging.path, W_OK) != 0 {
            discard()
            throw LocatedError(file: parent.path, "output directory is not writable")
        }
    }

    /// Renames the staging directory into place, replacing an earlier prepared dataset.
    func commit() throws {
        let fm = FileManager.default
        var old: URL?
        if fm.fileExists(atPath: destination.path) {
            try Self.checkReplaceable(destination)
            let aside = staging.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
            try? fm.removeItem(at: aside)
            guard rename(destination.path, aside.path) == 0 else {
                throw LocatedError(file: destination.path, "cannot move the old dataset aside: \(String(cString: strerror(errno)))")
            }
            old = aside
        }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { _ = rename(old.path, destination.path) }
            throw LocatedError(file: destination.path, "cannot rename the finished output into place: \(reason)")
        }
        if let old { try? fm.removeItem(at: old) }
    }

    /// Removes the staging directory after a failure.
    func discard() {
        try? FileManager.default.removeItem(at: staging)
    }

    /// Removes staging and set-aside siblings left by runs that were killed (their process no
    /// longer exists), so interrupted preparations do not pile up hidden copies.
    private static func removeLeftovers(of destination: URL) {
        let parent = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        for entry in entries {
            for marker in [".partial-", ".old-"] where entry.hasPrefix(".\(name)\(marker)") {
                guard let pid = Int32(entry.dropFirst(name.count + 1 + marker.count)), pid != getpid() else { continue }
                if kill(pid, 0) != 0 && errno == ESRCH {
                    try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
                }
            }
        }
    }

    private static func checkReplaceable(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
        let isDataset = isDirectory.boolValue
            && FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.json").path)
        if !isDataset {
            throw LocatedError(file: url.path, "exists and is not a prepared dataset: not replacing it")
        }
    }

    static func reason(_ error: Error) -> String {
        if let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? Error).map({ $0 as NSError }),
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }
}

/// Writes `data` to `url` through a temporary sibling and a rename.
func writeAtomically(_ data: Data, to url: URL) throws {
    do {
        try data.write(to: url, options: .atomic)
    } catch {
        throw LocatedError(file: url.path, "cannot write: \(StagedDirectory.reason(error))")
    }
}
