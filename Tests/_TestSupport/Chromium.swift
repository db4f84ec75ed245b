import Foundation
import XCTest

/// Headless Chromium for the report tests: `make test` installs Debian's `chromium`; without
/// it the tests skip (and fail under CI).
public enum Chromium {
    /// The executable.
    /// - throws: `XCTSkip` when it is not installed (an `XCTFail` first under CI).
    public static func locate() throws -> String {
        if let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile) {
            return path
        }
        try skipOutsideCI("chromium is not installed (make test installs it): the page was checked as XML only")
    }

    /// Opens `page` and checks what Chromium built: `svgCount` plots in its DOM, no parser
    /// error, and nothing logged to the console. Its own chatter (D-Bus, GPU) is ignored.
    public static func open(_ page: URL, svgCount: Int, profile: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run(["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString], profile: profile)
        let console = result.standardError.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
        XCTAssertEqual(console, [], "console messages", file: file, line: line)
        XCTAssertEqual(result.standardOutput.components(separatedBy: "<svg").count - 1, svgCount, "Chromium parsed every plot",
                       file: file, line: line)
        XCTAssertFalse(result.standardOutput.contains("parsererror"), file: file, line: line)
    }

    /// Takes a screenshot of `page` to `png` and checks it is a PNG.
    public static func screenshot(_ page: URL, to png: URL, profile: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        _ = try run(["--hide-scrollbars", "--window-size=1200,900", "--screenshot=\(png.path)", page.absoluteString], profile: profile)
        let bytes = [UInt8](try Data(contentsOf: png))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG", file: file, line: line)
    }

    private static func run(_ arguments: [String], profile: URL) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate())
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)"] + arguments
        return try CommandResult.capture(process)
    }
}
