import Foundation
import Tensors
import XCTest

/// Both Adam forms against their textbook formulas, computed here in float64.
final class AdamTests: XCTestCase {
    private func run(_ form: Adam.Form) -> [Float] {
        let parameter = Tensor([0.5, -1.0, 2.0], shape: [3], requiresGrad: true)
        let adam = Adam(parameters: [parameter], learningRate: 0.1, beta1: 0.5, beta2: 0.9, epsilon: 1e-3, form: form)
        for gradient in [[0.1, -0.2, 0.0], [0.3, 0.1, -0.05]] as [[Float]] {
            adam.update(with: [Tensor(gradient, shape: [3])])
        }
        XCTAssertEqual(adam.step, 2)
        return parameter.scalars
    }

    private func expected(_ form: Adam.Form) -> [Double] {
        var p = [0.5, -1.0, 2.0], m = [0.0, 0, 0], v = [0.0, 0, 0]
        let (lr, b1, b2, eps) = (0.1, 0.5, 0.9, 1e-3)
        for (t, g) in [[0.1, -0.2, 0.0], [0.3, 0.1, -0.05]].enumerated() {
            let step = Double(t + 1)
            for i in 0..<3 {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let c1 = 1 - pow(b1, step), c2 = 1 - pow(b2, step)
                switch form {
                case .pytorch: p[i] -= lr / c1 * m[i] / (v[i].squareRoot() / c2.squareRoot() + eps)
                case .tensorflow: p[i] -= lr * c2.squareRoot() / c1 * m[i] / (v[i].squareRoot() + eps)
                }
            }
        }
        return p
    }

    func testPyTorchAndTensorFlowFormsFollowTheirFormulas() {
        for form in [Adam.Form.pytorch, .tensorflow] {
            for (ours, theirs) in zip(run(form), expected(form)) {
                XCTAssertEqual(Double(ours), theirs, accuracy: 1e-6, "\(form)")
            }
        }
        // ε enters differently, so the two forms must differ with this large ε.
        XCTAssertNotEqual(run(.pytorch), run(.tensorflow))
    }
}
