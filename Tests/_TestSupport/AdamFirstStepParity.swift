/// Weights after one Adam step from zero moments (PyTorch's form), ours against a float64
/// reference's, element by element.
///
/// Derivation. From zero moments the first update is, for any β₁ and β₂ (the bias corrections
/// make m̂ = g and v̂ = g²),
///
///     u(g) = lr · g / (|g| + ε),   so |u(g)| < lr,
///
/// flat in g where |g| ≫ ε, and a full step lr · sign(g) either way. Given our gradient ĝ and
/// the reference's g, the weights after the step can differ by at most
///
///     |ours − theirs| ≤ |u(ĝ) − u(g)| + 12 r · |u(ĝ)| + r · (|ours| + 2 · |theirs| + lr),
///     r = 2⁻²⁴ (float32's unit roundoff):
///
/// Adam's exact map applied to the two gradients; ours computed in float32 through at most 12
/// rounded operations (`Adam.update`: the step size, 1 − β₂, g², two products into the
/// moments, √v, the bias correction and its root, + ε, lr · m, the division, and the
/// subtraction from the weight), each a relative error ≤ r; and the float32 rounding of the
/// stored weights: ours, the fixture's after the step, and the initial weight (|w₀| ≤
/// |theirs| + lr) that both started from. Every element is held to that bound.
///
/// Where the gradient's sign is determined it is tight, and the tensor's relative comparison
/// applies as well, unchanged. Where it is not, a reference gradient within the error δ to
/// which the test checks the gradient (zero in exact arithmetic and rounding noise in each
/// computation: a channel a ReLU silences for every sample, a bias whose every path ends in a
/// batch norm), ĝ and g may have opposite signs and Adam turns the noise into steps of up to
/// lr in opposite directions; a relative comparison of the weights cannot hold there (which
/// way the noise rounds depends on the summation order, so on the thread count), and the
/// bound alone applies.
public enum AdamFirstStepParity {
    /// float32's unit roundoff.
    static let r = 0x1p-24

    /// A tensor's comparison after one Adam step.
    public struct Result {
        /// max |ours − theirs| over the elements whose gradient sign is determined.
        public let determinedError: Double
        /// max |theirs| over the whole tensor (the relative comparison's scale, as before).
        public let scale: Double
        /// The element furthest past (or nearest to) its bound: error / bound, and where.
        public let worst: (index: Int, error: Double, bound: Double)
        /// How many elements have a reference gradient within the gradient check's error.
        public let undetermined: Int
    }

    /// Compares a tensor after the step.
    ///
    /// - Parameters:
    ///   - ours, theirs: the weights after the step (the reference's layout).
    ///   - ourGradient, theirGradient: the gradients the step used.
    ///   - gradientError: δ, the absolute error to which the test checks these gradients.
    public static func compare(ours: [Float], theirs: [Float], ourGradient: [Float], theirGradient: [Float],
                               gradientError: Double, learningRate: Double, epsilon: Double) -> Result {
        precondition(ours.count == theirs.count && ourGradient.count == theirGradient.count && ours.count == ourGradient.count,
                     "after-step comparison of tensors of different sizes")
        func update(_ g: Double) -> Double { learningRate * g / (abs(g) + epsilon) }
        var determined = 0.0, undetermined = 0
        var worst = (index: 0, error: 0.0, bound: 1.0)
        for index in ours.indices {
            let (o, t) = (Double(ours[index]), Double(theirs[index]))
            let error = abs(o - t)
            let (ĝ, g) = (Double(ourGradient[index]), Double(theirGradient[index]))
            let bound = abs(update(ĝ) - update(g)) + 12 * r * abs(update(ĝ)) + r * (abs(o) + 2 * abs(t) + learningRate)
            if error / bound > worst.error / worst.bound { worst = (index, error, bound) }
            if abs(g) <= gradientError {
                undetermined += 1
            } else {
                determined = max(determined, error)
            }
        }
        return Result(determinedError: determined, scale: theirs.map { abs(Double($0)) }.max() ?? 0, worst: worst,
                      undetermined: undetermined)
    }
}
