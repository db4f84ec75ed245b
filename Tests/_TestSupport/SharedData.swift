import Foundation
import XCTest

/// Locates `../shared` (fixtures, reference oracles, the corpus sample) beside the checkout.
///
/// Where it is absent (a user's clone) tests that need it skip with a message; under
/// `CI=true` its absence is a failure, so CI can never pass by skipping parity tests.
public enum SharedData {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/_TestSupport/SharedData.swift
        return url
    }()

    public static let directory: URL = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared")

    /// The path of `relative` inside `../shared`, or a skip (failure under CI) when missing.
    public static func require(_ relative: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let url = directory.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        let message = "\(url.path) is missing: the parity data lives in ../shared beside the checkout"
        try skipOutsideCI(message, file: file, line: line)
    }
}
