import Basics
import Foundation

/// A vision transformer's image features (Dosovitskiy et al. 2021) in DINOv2's form (Oquab et
/// al. 2024: pre-norm blocks with layer scale, a class token, learned position embeddings),
/// from weights under timm's and DINOv2's own names (`patch_embed.proj`, `blocks.N.attn.qkv`,
/// `blocks.N.ls1.gamma`, `norm`, …): the class token after the final layer norm, as timm's
/// `vit_large_patch14_dinov2` with `num_classes=0` and dgm-eval's DINOv2 encoder return it.
/// Position embeddings trained for another grid (DINOv2's 37×37 at 518 pixels) are resized
/// to the input's grid as DINOv2 does: bicubic, by the scale factor (grid + 0.1)/trained.
///
/// ```swift
/// let vit = try VisionTransformer(weights: URL(fileURLWithPath: "dinov2_vitl14_pretrain.pth"))   // 16 heads of 64
/// let features = vit.features(image, size: 224)   // 1024 values for ViT-L/14
/// ```
public struct VisionTransformer: Sendable {
    public let width: Int
    public let patch: Int
    private let patchWeight: [Float], patchBias: [Float]
    private let classToken: [Float]
    /// Position embeddings with the class token's first, on the trained grid.
    private let positions: [Float]
    public let trainedGrid: Int
    private let encoder: TransformerEncoder
    private let finalNorm: TransformerEncoder.LayerNorm

    /// DINOv2's offset in the position embeddings' resizing scale factor.
    static let interpolationOffset = 0.1

    /// - throws: `LocatedError` naming the file and tensor that is missing or mis-shaped.
    /// - Parameter heads: attention heads; by default 64 channels each, as in every DINOv2 size.
    public init(weights url: URL, heads: Int? = nil, epsilon: Float = 1e-6) throws {
        let weights = try NamedWeights(contentsOf: url)
        guard let patchShape = weights.shape("patch_embed.proj.weight"), patchShape.count == 4, patchShape[1] == 3,
              patchShape[2] == patchShape[3] else {
            throw LocatedError(file: url.path, "lacks a square 3-channel patch_embed.proj.weight")
        }
        let d = patchShape[0], p = patchShape[2]
        (width, patch) = (d, p)
        patchWeight = try weights.floats("patch_embed.proj.weight", shape: patchShape)
        patchBias = try weights.floats("patch_embed.proj.bias", shape: [d])
        classToken = try weights.floats("cls_token", shape: [1, 1, d])
        guard let positionShape = weights.shape("pos_embed"), positionShape.count == 3, positionShape[2] == d,
              let grid = Optional(Int(Double(positionShape[1] - 1).squareRoot().rounded())), grid * grid + 1 == positionShape[1] else {
            throw LocatedError(file: url.path, "pos_embed is not [1, 1 + g², \(d)]")
        }
        trainedGrid = grid
        positions = try weights.floats("pos_embed", shape: positionShape)
        var depth = 0
        while weights.has("blocks.\(depth).attn.qkv.weight") { depth += 1 }
        guard depth > 0 else { throw LocatedError(file: url.path, "has no blocks.0.attn.qkv.weight") }
        let hidden = weights.shape("blocks.0.mlp.fc1.weight")?.first ?? 4 * d
        let layers = try (0..<depth).map { i -> TransformerEncoder.Layer in
            let b = "blocks.\(i)."
            let qkv = try weights.floats(b + "attn.qkv.weight", shape: [3 * d, d])
            let qkvBias = try weights.floats(b + "attn.qkv.bias", shape: [3 * d])
            func part(_ k: Int) throws -> TransformerEncoder.Linear {
                try TransformerEncoder.Linear(weight: Array(qkv[(k * d * d)..<((k + 1) * d * d)]), bias: Array(qkvBias[(k * d)..<((k + 1) * d)]),
                                              inputs: d, outputs: d)
            }
            return TransformerEncoder.Layer(
                query: try part(0), key: try part(1), value: try part(2),
                output: try weights.linear(b + "attn.proj", inputs: d, outputs: d),
                norm1: try weights.layerNorm(b + "norm1", width: d, epsilon: epsilon),
                norm2: try weights.layerNorm(b + "norm2", width: d, epsilon: epsilon),
                hidden: try weights.linear(b + "mlp.fc1", inputs: d, outputs: hidden),
                projection: try weights.linear(b + "mlp.fc2", inputs: hidden, outputs: d),
                scale1: weights.has(b + "ls1.gamma") ? try weights.floats(b + "ls1.gamma", shape: [d]) : nil,
                scale2: weights.has(b + "ls2.gamma") ? try weights.floats(b + "ls2.gamma", shape: [d]) : nil)
        }
        encoder = try TransformerEncoder(layers: layers, heads: heads ?? max(d / 64, 1), norm: .pre, activation: .gelu)
        finalNorm = try weights.layerNorm("norm", width: d, epsilon: epsilon)
    }

    /// The class token's features of one image: `pixels` is [3, size, size], already
    /// normalised as the network expects (ImageNet mean and standard deviation for DINOv2).
    public func features(_ pixels: [Float], size: Int) -> [Float] {
        precondition(pixels.count == 3 * size * size && size % patch == 0, "\(pixels.count) values for 3 × \(size)² in \(patch)-pixel patches")
        let grid = size / patch, count = grid * grid, d = width
        let patches = PatchEmbedding.embed(pixels, size: size, patch: patch, weight: patchWeight, bias: patchBias)
        let table = positionEmbeddings(grid: grid)
        var tokens = [Float](repeating: 0, count: (count + 1) * d)
        for j in 0..<d { tokens[j] = classToken[j] + table[j] }
        for i in 0..<(count * d) { tokens[d + i] = patches[i] + table[d + i] }
        let out = finalNorm(encoder(tokens, tokens: count + 1), rows: count + 1)
        return Array(out.prefix(d))
    }

    /// The position embeddings for a `grid`×`grid` input: as trained, or resized.
    func positionEmbeddings(grid: Int) -> [Float] {
        guard grid != trainedGrid else { return positions }
        let d = width, scale = (Double(grid) + Self.interpolationOffset) / Double(trainedGrid)
        let resized = Bicubic.resize(Array(positions[d...]), channelsLast: d, from: trainedGrid, to: grid, scale: scale)
        return Array(positions.prefix(d)) + resized
    }
}

/// A patch-embedding convolution (kernel = stride = `patch`, no padding) as one GEMM over the
/// unfolded patches: [grid² × width] for a [3, size, size] image, weight in PyTorch's layout.
enum PatchEmbedding {
    static func embed(_ pixels: [Float], size: Int, patch: Int, weight: [Float], bias: [Float]?) -> [Float] {
        let grid = size / patch, count = grid * grid, k = 3 * patch * patch
        var unfolded = [Float](repeating: 0, count: count * k)
        for py in 0..<grid {
            for px in 0..<grid {
                let row = (py * grid + px) * k
                for c in 0..<3 {
                    for y in 0..<patch {
                        for x in 0..<patch {
                            unfolded[row + (c * patch + y) * patch + x] = pixels[(c * size + py * patch + y) * size + px * patch + x]
                        }
                    }
                }
            }
        }
        let linear = (try? TransformerEncoder.Linear(weight: weight, bias: bias, inputs: k, outputs: weight.count / k))!
        return linear(unfolded, rows: count)
    }
}

/// PyTorch's `interpolate(mode="bicubic", align_corners=False, antialias=False)` with an
/// explicit scale factor: Keys' cubic convolution (A = −0.75), source coordinate
/// (dst + ½)/scale − ½, border indices clamped.
enum Bicubic {
    static let a = -0.75

    static func weights(_ t: Double) -> [Double] {
        func near(_ x: Double) -> Double { ((a + 2) * x - (a + 3)) * x * x + 1 }
        func far(_ x: Double) -> Double { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return [far(t + 1), near(t), near(1 - t), far(2 - t)]
    }

    /// `values` is [from × from × channels] (channels last); the result [to × to × channels].
    static func resize(_ values: [Float], channelsLast c: Int, from: Int, to: Int, scale: Double) -> [Float] {
        func taps(_ destination: Int) -> (index: [Int], weight: [Double]) {
            let source = (Double(destination) + 0.5) / scale - 0.5
            let floor = source.rounded(.down), t = source - floor
            let base = Int(floor)
            return ((-1...2).map { min(max(base + $0, 0), from - 1) }, weights(t))
        }
        let columns = (0..<to).map(taps)
        var out = [Float](repeating: 0, count: to * to * c)
        for y in 0..<to {
            let (rows, rowWeights) = taps(y)
            for x in 0..<to {
                let (cols, colWeights) = columns[x]
                for channel in 0..<c {
                    var sum = 0.0
                    for i in 0..<4 {
                        var line = 0.0
                        for j in 0..<4 { line += colWeights[j] * Double(values[(rows[i] * from + cols[j]) * c + channel]) }
                        sum += rowWeights[i] * line
                    }
                    out[(y * to + x) * c + channel] = Float(sum)
                }
            }
        }
        return out
    }
}
