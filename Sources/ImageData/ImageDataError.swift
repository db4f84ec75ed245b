import Foundation

/// Why reading or writing image data failed: the file (when there is one), where in it, and
/// what is wrong. Rendered once, at the command line, as one line.
public struct ImageDataError: Error, CustomStringConvertible, Equatable {
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
}

/// The bytes of `url` (memory-mapped), or an `ImageDataError` naming it.
func readFile(_ url: URL) throws -> Data {
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw ImageDataError(file: url.path, "no such file")
    }
    do {
        // An empty file is empty Data without Foundation's read path, which leaks its 4 KiB
        // buffer on empty files (found by LeakSanitizer under `make fuzz-libfuzzer`; Tensors'
        // FileBytes does the same for the other readers).
        var info = stat()
        if stat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size == 0 { return Data() }
        return try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
        throw ImageDataError(file: url.path, "cannot read: \(error.localizedDescription)")
    }
}

/// `a × b × …`, or nil when the product overflows `Int`.
func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        let (value, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = value
    }
    return product
}
