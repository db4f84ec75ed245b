import Foundation
import XCTest

/// The Python `tensorboard` package (from PyPI, in the venv `make test` creates), driven
/// through `scripts/tensorboard_events.py`: the independent reader and writer that the event
/// files are checked against. Missing, the tests that need it skip; under CI they fail.
public enum TensorBoardPython {
    public static var interpreter: URL {
        if let path = ProcessInfo.processInfo.environment["TTUR_TENSORBOARD_PYTHON"] { return URL(fileURLWithPath: path) }
        return SharedData.repositoryRoot.appendingPathComponent(".venv-tensorboard/bin/python")
    }

    public static func require(file: StaticString = #filePath, line: UInt = #line) throws {
        guard FileManager.default.isExecutableFile(atPath: interpreter.path) else {
            let message = "\(interpreter.path) is missing: `make test` installs the tensorboard package there"
            try skipOutsideCI(message, file: file, line: line)
        }
    }

    /// Runs the helper script and decodes its JSON output.
    public static func run(_ arguments: [String]) throws -> Any {
        let script = SharedData.repositoryRoot.appendingPathComponent("scripts/tensorboard_events.py")
        let output = try TemporaryCorpus.output(interpreter.path, [script.path] + arguments)
        return try JSONSerialization.jsonObject(with: Data(output.utf8))
    }
}
