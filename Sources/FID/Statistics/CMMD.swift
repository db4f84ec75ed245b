import Basics
import CBLAS
import Foundation

/// CMMD (Jayasumana et al., *Rethinking FID: Towards a Better Evaluation Metric for Image
/// Generation*, CVPR 2024): the squared maximum mean discrepancy between two sets of unit-
/// length CLIP embeddings under the Gaussian kernel exp(−‖x − y‖²/(2σ²)), σ = 10, times 1000,
/// in the paper code's estimate: the means of each kernel matrix over all pairs, diagonals
/// included. Float64 throughout (the paper's code runs it in float32).
public enum CMMD {
    public static let sigma = 10.0, scale = 1000.0

    /// - throws: `LocatedError` for sets of different widths or an empty set.
    public static func distance(_ x: FeatureSet, _ y: FeatureSet, sigma: Double = sigma, scale: Double = scale) throws -> Double {
        try x.checkComparable(with: y, metric: "CMMD", minimum: 1, why: "needed")
        let gamma = 1 / (2 * sigma * sigma)
        let a = x.doubles(), b = y.doubles(), d = x.dimensions
        func meanKernel(_ p: [Double], _ m: Int, _ q: [Double], _ n: Int) -> Double {
            var dots = [Double](repeating: 0, count: m * n)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(d), 1, p, Int32(d), q, Int32(d), 0, &dots, Int32(n))
            let pn = (0..<m).map { i in (0..<d).reduce(0.0) { $0 + p[i * d + $1] * p[i * d + $1] } }
            let qn = (0..<n).map { j in (0..<d).reduce(0.0) { $0 + q[j * d + $1] * q[j * d + $1] } }
            var sum = 0.0
            for i in 0..<m { for j in 0..<n { sum += Foundation.exp(-gamma * (pn[i] + qn[j] - 2 * dots[i * n + j])) } }
            return sum / Double(m * n)
        }
        let (m, n) = (x.count, y.count)
        return scale * (meanKernel(a, m, a, m) + meanKernel(b, n, b, n) - 2 * meanKernel(a, m, b, n))
    }
}
