import Tensors
import XCTest
import _TestSupport

/// Forward results against naive loops.
final class KernelTests: XCTestCase {
    func testConvolutionMatchesTheDefinition() {
        let (batch, length, cin, cout, width) = (2, 7, 3, 4, 5)
        let x = GradientCheck.random([batch, length, cin], seed: 1)
        let w = GradientCheck.random([width, cin, cout], seed: 2)
        let out = x.conv1d(weight: w).scalars
        let xs = x.scalars, ws = w.scalars
        for b in 0..<batch {
            for l in 0..<length {
                for o in 0..<cout {
                    var expected: Float = 0
                    for t in 0..<width {
                        let source = l + t - width / 2
                        guard source >= 0 && source < length else { continue }
                        for i in 0..<cin { expected += xs[(b * length + source) * cin + i] * ws[(t * cin + i) * cout + o] }
                    }
                    XCTAssertEqual(out[(b * length + l) * cout + o], expected, accuracy: 1e-5)
                }
            }
        }
    }

    func testMatmulMatchesTheDefinition() {
        let a = GradientCheck.random([3, 4], seed: 3), b = GradientCheck.random([4, 5], seed: 4)
        let c = a.matmul(b).scalars, av = a.scalars, bv = b.scalars
        for i in 0..<3 {
            for j in 0..<5 {
                let expected = (0..<4).reduce(Float(0)) { $0 + av[i * 4 + $1] * bv[$1 * 5 + j] }
                XCTAssertEqual(c[i * 5 + j], expected, accuracy: 1e-5)
            }
        }
    }

    func testSoftmaxRowsSumToOneAndSurviveLargeInputs() {
        let x = Tensor([1000, 1001, 1002, -5, 0, 5], shape: [2, 3])
        let s = x.softmax().scalars
        XCTAssertEqual(s[0] + s[1] + s[2], 1, accuracy: 1e-6)
        XCTAssertEqual(s[2], 0.66524096, accuracy: 1e-6)
        XCTAssertFalse(s.contains { $0.isNaN })
    }

    func testNoGradModeRecordsNothing() {
        let w = Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = withoutGrad { (w * w).sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue((w * w).sum().requiresGrad)
    }

    func testBackwardAccumulatesIntoGrad() {
        let w = Tensor([1, 2], shape: [2], requiresGrad: true)
        (w * w).sum().backward(into: [w])
        (w * 3).sum().backward(into: [w])
        XCTAssertEqual(w.grad?.scalars, [5, 7])
    }

    func testRandomStateRoundTripsAndReproduces() {
        var a = RandomSource(seed: 7)
        _ = a.nextNormal()  // leaves a spare normal in the state
        let saved = a.serialized
        let expected = (0..<5).map { _ in a.nextNormal() }
        var b = RandomSource(serialized: saved)!
        XCTAssertEqual((0..<5).map { _ in b.nextNormal() }, expected)
    }
}

final class KernelSelectionTests: XCTestCase {
    /// Debian 12's OpenBLAS falls back to generic kernels on CPUs newer than it; the engine
    /// must have corrected that wherever the CPU has AVX2 or AVX-512.
    func testOpenBLASRunsVectorKernelsWhenTheCPUHasThem() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard flags.contains(" avx2 ") else { throw XCTSkip("CPU without AVX2") }
        XCTAssertNotEqual(Engine.blasCore.lowercased(), "prescott")
    }
}
