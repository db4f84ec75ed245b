import ArgumentParser

/// Thrown by subcommands whose issue has not landed yet: they say so and exit non-zero
/// instead of pretending to work.
struct NotImplementedYet: Error, CustomStringConvertible {
    let command: String
    var description: String { "ttur-text \(command): not implemented yet" }
}
