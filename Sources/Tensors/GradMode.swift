/// Whether operations record the graph that reverse-mode differentiation walks.
///
/// Evaluation and sampling run with recording off, so they keep no activations alive.
/// The flag is process-wide: the engine is driven from one thread at a time (kernels
/// parallelise internally).
public enum GradMode {
    nonisolated(unsafe) public private(set) static var isEnabled = true

    /// Runs `body` with graph recording switched to `enabled`, restoring it afterwards.
    @discardableResult
    public static func with<T>(_ enabled: Bool, _ body: () throws -> T) rethrows -> T {
        let saved = isEnabled
        isEnabled = enabled
        defer { isEnabled = saved }
        return try body()
    }
}

/// Runs `body` without recording any graph (PyTorch's `torch.no_grad()`).
@discardableResult
public func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.with(false, body)
}
