/// Everything that can go wrong with an n-gram store or an evaluation, rendered once at the
/// command line as one line naming the file.
public struct NGramError: Error, CustomStringConvertible, Sendable {
    /// The store or samples file concerned.
    public let path: String
    public let message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
