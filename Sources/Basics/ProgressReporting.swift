/// Where a long library operation tells how it goes: a progress line that each update
/// replaces, a line that ends it, and result lines. The command line's implementation draws
/// the progress on standard error and prints the results; a library call without one is
/// silent (`SilentProgress`).
public protocol ProgressReporter: AnyObject {
    /// Replaces the progress line (callers may call it often; the reporter throttles).
    func update(_ text: String)
    /// Ends the progress line with a final message.
    func finish(_ text: String)
    /// A result worth a line of its own (the command line prints it to standard output).
    func report(_ text: String)
}

/// Reports nothing.
public final class SilentProgress: ProgressReporter {
    public init() {}
    public func update(_ text: String) {}
    public func finish(_ text: String) {}
    public func report(_ text: String) {}
}
