import Foundation

/// SIGINT/SIGTERM turn into a request that the training loop honours between iterations:
/// it writes a final checkpoint and exits with 130 (SIGINT) or 143 (SIGTERM).
public enum StopRequest {
    nonisolated(unsafe) private static var received: Int32 = 0

    /// The signal that asked to stop, or nil.
    public static var signal: Int32? { received == 0 ? nil : received }

    /// Installs the handlers (idempotent). A second signal of the same kind kills at once,
    /// for users who really mean it; the checkpoint files stay intact either way (atomic writes).
    public static func install() {
        for kind in [SIGINT, SIGTERM] {
            Foundation.signal(kind) { number in
                if StopRequest.received != 0 {
                    Foundation.signal(number, SIG_DFL)
                    raise(number)
                }
                StopRequest.received = number
            }
        }
    }

    /// The conventional exit status for a run stopped by `signal` (128 + signal number).
    public static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }
}
