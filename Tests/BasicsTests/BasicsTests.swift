import Basics
import Foundation
import XCTest

/// What every module shares: the one error's rendering, SHA-256, the seeded random sources
/// and their checkpointed state, checked products and atomic writes.
final class BasicsTests: XCTestCase {
    func testLocatedErrorRendersFileLineOffsetAndMessageAsOneLine() {
        XCTAssertEqual(LocatedError(file: "a.zst", offset: 1024, line: 3, "corrupt zstd data").description,
                       "a.zst: line 3: byte 1024: corrupt zstd data")
        XCTAssertEqual(LocatedError("no file").description, "no file")
        XCTAssertEqual(LocatedError("x").inFile("f").description, "f: x")
        XCTAssertEqual(LocatedError(file: "g", "x").inFile("f").description, "g: x", "a file it has is kept")
    }

    /// FIPS 180-2's test vectors; updates in pieces equal one update; finalising starts over.
    func testSHA256MatchesTheStandardsVectors() {
        XCTAssertEqual(SHA256.hex(SHA256.hash(data: Data("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(SHA256.hash(data: Data())),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        let hasher = SHA256()
        hasher.update(data: long.prefix(10))
        hasher.update(data: long.dropFirst(10))
        XCTAssertEqual(SHA256.hex(hasher.finalize()), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        hasher.update(data: Data("abc".utf8))
        XCTAssertEqual(SHA256.hex(hasher.finalize()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// SplitMix64's published first outputs for seed 0 (Vigna's reference implementation).
    func testSplitMix64IsTheReferenceGenerator() {
        var generator = SplitMix64(seed: 0)
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(generator.next(), 0x6E78_9E6A_A1B9_65F4)
        for bound in [1, 2, 7, 1000] {
            XCTAssertTrue((0..<200).allSatisfy { _ in (0..<bound).contains(generator.next(below: bound)) })
        }
    }

    /// A checkpointed random state continues exactly as the uninterrupted stream, including a
    /// waiting second normal; malformed states are refused.
    func testRandomSourceStateRestoresTheSameStream() throws {
        var random = RandomSource(seed: 42)
        _ = (0..<5).map { _ in random.nextUniform() }
        _ = random.nextNormal()  // leaves its pair's second normal waiting
        var restored = try XCTUnwrap(RandomSource(serialized: random.serialized))
        XCTAssertEqual(restored, random)
        for _ in 0..<50 {
            XCTAssertEqual(restored.nextNormal(), random.nextNormal())
            XCTAssertEqual(restored.nextInt(below: 97), random.nextInt(below: 97))
        }
        XCTAssertNil(RandomSource(serialized: [1, 2, 3]))
        XCTAssertNil(RandomSource(serialized: [1, 2, 3, 4, 2, 0]))
        var uniform = RandomSource(seed: 1)
        XCTAssertTrue((0..<1000).allSatisfy { _ in (0..<1).contains(uniform.nextUniform()) })
        XCTAssertNotEqual(RandomSource(seed: 1), RandomSource(seed: 2))
    }

    func testCheckedProductReportsOverflow() {
        XCTAssertEqual(checkedProduct([2, 3, 7]), 42)
        XCTAssertEqual(checkedProduct([]), 1)
        XCTAssertNil(checkedProduct([Int.max, 2]))
    }

    /// The file is replaced whole, and no temporary file is left beside it.
    func testAtomicWriteReplacesTheFileAndLeavesNothingElse() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("basics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("state.json")
        try AtomicFile.write(Data("old".utf8), to: file)
        try AtomicFile.write(Data("new contents".utf8), to: file)
        XCTAssertEqual(try Data(contentsOf: file), Data("new contents".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["state.json"])
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: directory.appendingPathComponent("missing/dir/file")))
    }
}
