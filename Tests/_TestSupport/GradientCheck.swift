import Tensors
import XCTest

/// Finite-difference checks of the engine's gradients.
///
/// Central differences in float32 are accurate to about 1e-3 for the O(1) functions used in
/// the tests; the tolerances below are tight enough to catch a wrong sign, a missing term or
/// a factor of two, which is what these checks are for.
public enum GradientCheck {
    /// Checks d f / d inputs[i] element by element against central differences.
    ///
    /// - Parameter f: a scalar function of the inputs, built from engine operations.
    public static func assertGradients(
        of f: ([Tensor]) -> Tensor, at values: [Tensor], step: Float = 1e-2,
        relativeTolerance: Float = 2e-2, absoluteTolerance: Float = 2e-3,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let leaves = values.map { $0.copy().requiringGrad() }
        let output = f(leaves)
        XCTAssertEqual(output.count, 1, "f must be scalar", file: file, line: line)
        let analytic = Autodiff.gradients(of: output, withRespectTo: leaves)
        for (index, leaf) in leaves.enumerated() {
            let base = leaf.scalars
            let expected = analytic[index].scalars
            for element in 0..<base.count {
                func evaluate(_ delta: Float) -> Double {
                    var moved = base
                    moved[element] += delta
                    var inputs = leaves.map { $0.detached() }
                    inputs[index] = Tensor(moved, shape: leaf.shape)
                    return Double(withoutGrad { f(inputs) }.item)
                }
                let numeric = Float((evaluate(step) - evaluate(-step)) / Double(2 * step))
                let tolerance = absoluteTolerance + relativeTolerance * max(abs(numeric), abs(expected[element]))
                if abs(numeric - expected[element]) > tolerance {
                    XCTFail("input \(index) element \(element): analytic \(expected[element]) vs numeric \(numeric)",
                            file: file, line: line)
                    return
                }
            }
        }
    }

    /// Checks second-order gradients: the gradient of `penalty(∂f/∂x)` with respect to all
    /// inputs, where ∂f/∂x (x = inputs[0]) is computed with `createGraph: true`.
    public static func assertSecondOrderGradients(
        of f: @escaping ([Tensor]) -> Tensor, penalty: @escaping (Tensor) -> Tensor, at values: [Tensor],
        step: Float = 1e-2, relativeTolerance: Float = 3e-2, absoluteTolerance: Float = 3e-3,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let composite: ([Tensor]) -> Tensor = { inputs in
            // Inputs arrive as leaves (gradient mode) or constants (finite differences);
            // either way the inner gradient needs its own leaf for x.
            let x = inputs[0].requiresGrad ? inputs[0] : inputs[0].requiringGrad()
            let recorded: Bool = GradMode.isEnabled
            return GradMode.with(true) {
                let inner = f([x] + inputs.dropFirst())
                let gradient = Autodiff.gradients(of: inner, withRespectTo: [x], createGraph: recorded)[0]
                return penalty(gradient)
            }
        }
        assertGradients(of: composite, at: values, step: step, relativeTolerance: relativeTolerance,
                        absoluteTolerance: absoluteTolerance, file: file, line: line)
    }

    /// Values uniform in [low, high), reproducible.
    public static func random(_ shape: Shape, seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        var random = RandomSource(seed: seed)
        return Tensor.randomUniform(shape, low: low, high: high, using: &random)
    }
}
