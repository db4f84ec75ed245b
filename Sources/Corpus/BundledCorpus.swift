import Basics
import Foundation

/// The corpus that ships with the repository, `Corpora/wordnet-examples` (WordNet's example
/// sentences): what `prepare corpus` reads without arguments and `train` trains on by default.
public enum BundledCorpus {
    public static let relativePath = "Corpora/wordnet-examples"

    /// Finds it under the current directory, else above the executable.
    /// - throws: `LocatedError` when it is in neither place.
    public static func locate() throws -> URL {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: here.path) { return here }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw LocatedError(file: relativePath, "the bundled corpus is not here: run from the repository root or give a corpus directory")
    }
}
