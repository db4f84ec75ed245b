import Foundation
import Tensors

/// Why an FID operation failed: the file (when there is one), where in it, and what was
/// expected. Rendered once, at the command line, as one line.
public struct FIDError: Error, CustomStringConvertible {
    public let file: String?
    public let offset: Int?
    public let message: String

    public init(file: String? = nil, offset: Int? = nil, _ message: String) {
        self.file = file
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var prefix = file.map { "\($0): " } ?? ""
        if let offset { prefix += "at byte \(offset): " }
        return prefix + message
    }

    /// The same error attributed to `file` when it had none.
    func inFile(_ name: String) -> FIDError {
        file == nil ? FIDError(file: name, offset: offset, message) : self
    }
}

/// The bytes of `url` (memory-mapped), or an `FIDError` naming it.
func readFile(_ url: URL, what: String = "") throws -> Data {
    do {
        return try FileBytes.mapped(url)
    } catch {
        throw FIDError(file: url.path, "cannot read\(what.isEmpty ? "" : " " + what): \(error.localizedDescription)")
    }
}
