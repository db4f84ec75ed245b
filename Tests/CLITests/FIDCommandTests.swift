import Foundation
import XCTest
import _TestSupport

/// End-to-end `ttur-text fid …` command lines on the shared fixtures.
final class FIDCommandTests: XCTestCase {
    /// Directories made by this test, removed when it ends.
    private var temporaries: [TemporaryDirectory] = []

    private func temporaryDirectory() throws -> URL {
        let directory = try TemporaryDirectory(prefix: "ttur-fid-cli")
        temporaries.append(directory)
        return directory.url
    }

    override func tearDown() {
        temporaries = []
        super.tearDown()
    }

    func testStatisticsFilesMatchPytorchFIDToOneMillionth() throws {
        let a = try SharedData.require("fixtures/fid/stats_a.npz").path
        let b = try SharedData.require("fixtures/fid/stats_b.npz").path
        let expectedData = try Data(contentsOf: try SharedData.require("fixtures/fid/expected.json"))
        let expected = try XCTUnwrap((try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])?["fid_stats_a_vs_b"] as? Double)

        let plain = try TTURTextExecutable.run(["fid", a, b])
        XCTAssertEqual(plain.status, 0, plain.standardError)
        let line = try XCTUnwrap(plain.standardOutput.split(separator: "\n").first { $0.hasPrefix("FID: ") })
        let value = try XCTUnwrap(Double(line.dropFirst(5)))
        XCTAssertEqual(value, expected, accuracy: 1e-6 * expected)
        XCTAssertTrue(plain.standardOutput.contains("samples: unknown and unknown"), plain.standardOutput)

        let json = try TTURTextExecutable.run(["fid", a, b, "--json"])
        XCTAssertEqual(json.status, 0, json.standardError)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(object["fid"] as? Double), expected, accuracy: 1e-6 * expected)
    }

    func testStatsCommandWritesProvenanceAndIdenticalSetsScoreZeroWithAWarning() throws {
        let directory = try temporaryDirectory()
        let out = directory.appendingPathComponent("six.npz").path
        let stats = try TTURTextExecutable.run([
            "fid", "stats", try SharedData.require("fixtures/fid/images.npy").path,
            "--weights", try SharedData.require("fixtures/fid/inception_random.pth").path,
            "--out", out, "--dims", "64", "--batch", "4",
        ])
        XCTAssertEqual(stats.status, 0, stats.standardError)
        XCTAssertTrue(stats.standardOutput.contains("6 samples, 64 dims"), stats.standardOutput)

        let score = try TTURTextExecutable.run(["fid", out, out])
        XCTAssertEqual(score.status, 0, score.standardError)
        let line = try XCTUnwrap(score.standardOutput.split(separator: "\n").first { $0.hasPrefix("FID: ") })
        XCTAssertEqual(try XCTUnwrap(Double(line.dropFirst(5))), 0, accuracy: 1e-9)
        XCTAssertTrue(score.standardOutput.contains("samples: 6 and 6"), score.standardOutput)
        XCTAssertTrue(score.standardError.contains("6 samples for 64 feature dimensions"), score.standardError)
    }

    func testWeightsWhoseHashDoesNotMatchTheirNameAreRefused() throws {
        let directory = try temporaryDirectory()
        let renamed = directory.appendingPathComponent("pt_inception-2015-12-05-6726825d.pth")
        try FileManager.default.createSymbolicLink(at: renamed, withDestinationURL: try SharedData.require("fixtures/fid/inception_random.pth"))
        let result = try TTURTextExecutable.run([
            "fid", "stats", try SharedData.require("fixtures/fid/images.npy").path,
            "--weights", renamed.path, "--out", directory.appendingPathComponent("x.npz").path,
        ])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("does not start with 6726825d"), result.standardError)
        // The same file under a name carrying its own hash prefix is accepted.
        let named = directory.appendingPathComponent("inception_random-39c100b0.pth")
        try FileManager.default.createSymbolicLink(at: named, withDestinationURL: try SharedData.require("fixtures/fid/inception_random.pth"))
        let accepted = try TTURTextExecutable.run([
            "fid", "stats", try SharedData.require("fixtures/fid/images.npy").path, "--dims", "64",
            "--weights", named.path, "--out", directory.appendingPathComponent("x.npz").path,
        ])
        XCTAssertEqual(accepted.status, 0, accepted.standardError)
    }

    /// `fid A B --kid --pr --dc` on the six shared images (random Inception weights, 64
    /// features): the numbers in plain and JSON output; a set against itself has precision,
    /// recall and coverage 1.
    func testKIDAndPrecisionRecallOfImages() throws {
        let images = try SharedData.require("fixtures/fid/images.npy").path
        let network = ["--weights", try SharedData.require("fixtures/fid/inception_random.pth").path, "--dims", "64", "--batch", "3"]
        let json = try TTURTextExecutable.run(["fid", images, images, "--kid", "--kid-subset-size", "4", "--kid-subsets", "5",
                                               "--pr", "--dc", "--json"] + network)
        XCTAssertEqual(json.status, 0, json.standardError)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let kid = try XCTUnwrap(object["kid"] as? [String: Any])
        XCTAssertNotNil(kid["mean"] as? Double)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(kid["std"] as? Double), 0)
        XCTAssertEqual(kid["subset_size"] as? Int, 4)
        XCTAssertEqual(kid["subsets"] as? Int, 5)
        XCTAssertEqual(object["precision"] as? Double, 1)
        XCTAssertEqual(object["recall"] as? Double, 1)
        XCTAssertEqual(object["coverage"] as? Double, 1, "each image lies strictly inside its own ball")
        XCTAssertGreaterThan(try XCTUnwrap(object["density"] as? Double), 0)
        // FD∞ needs only the generated side's features: against a statistics file it runs, and
        // for six images it fits sizes 2…6 (numpy's linspace(2, 6, 15) cut to integers).
        let imageStats = FileManager.default.temporaryDirectory.appendingPathComponent("ttur-fdinf-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: imageStats) }
        XCTAssertEqual(try TTURTextExecutable.run(["fid", "stats", images, "--out", imageStats.path] + network).status, 0)
        let infinity = try TTURTextExecutable.run(["fid", images, imageStats.path, "--fd-infinity"] + network)
        XCTAssertEqual(infinity.status, 0, infinity.standardError)
        XCTAssertTrue(infinity.standardOutput.contains("FD∞: "), infinity.standardOutput)
        XCTAssertTrue(infinity.standardOutput.contains("over 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6 samples"), infinity.standardOutput)
        let plain = try TTURTextExecutable.run(["fid", images, images, "--kid", "--kid-subset-size", "4"] + network)
        XCTAssertEqual(plain.status, 0, plain.standardError)
        XCTAssertTrue(plain.standardOutput.contains("(100 subsets of 4)"), plain.standardOutput)
        XCTAssertFalse(plain.standardOutput.contains("precision"), plain.standardOutput)

        // One-line errors: a statistics file has no features; fewer images than the subset size.
        let stats = try SharedData.require("fixtures/fid/stats_a.npz").path
        for (arguments, expected) in [
            (["fid", images, stats, "--kid"], "\(stats): a statistics file holds only the mean and covariance"),
            (["fid", stats, images, "--pr"], "\(stats): a statistics file holds only the mean and covariance"),
            (["fid", images, images, "--kid"] + network, "\(images): KID: 6 features, fewer than the 1000 of a KID subset"),
        ] {
            let result = try TTURTextExecutable.run(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            // Progress lines may come first; the error is the last line.
            let last = result.standardError.split(separator: "\n").last.map(String.init) ?? ""
            XCTAssertTrue(last.contains(expected), "\(arguments): \(result.standardError)")
        }
    }

    func testBadInputsAreOneLineErrors() throws {
        let missing = try TTURTextExecutable.run(["fid", "/no/such.npz", "/no/other.npz"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.standardError.contains("/no/such.npz: no such file or folder"), missing.standardError)
        let dims = try TTURTextExecutable.run(["fid", "stats", "x.npy", "--out", "y.npz", "--dims", "100"])
        XCTAssertNotEqual(dims.status, 0)
        XCTAssertTrue(dims.standardError.contains("--dims"), dims.standardError)
    }
}
