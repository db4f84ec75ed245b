// Every module that uses the engine sees the base types (LocatedError, RandomSource,
// FileBytes, AtomicFile, SHA256) without importing Basics itself.
@_exported import Basics
