import Dispatch

/// Iterations per second over a window that restarts every ten seconds, for progress lines.
public struct IterationRate {
    private var windowStart = DispatchTime.now().uptimeNanoseconds
    private var iterations = 0

    public init() {}

    /// Counts one iteration and returns the rate over the current window.
    public mutating func tick() -> Double {
        iterations += 1
        let now = DispatchTime.now().uptimeNanoseconds
        let rate = Double(iterations) / max(Double(now - windowStart) / 1e9, 1e-9)
        if now - windowStart > 10_000_000_000 {
            windowStart = now
            iterations = 0
        }
        return rate
    }
}
