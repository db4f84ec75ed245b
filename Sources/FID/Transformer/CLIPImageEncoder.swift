import Basics
import Foundation

/// CLIP's image tower (Radford et al. 2021) under Hugging Face's names
/// (`CLIPVisionModelWithProjection`: `vision_model.embeddings…`, `…encoder.layers.N…`,
/// `visual_projection`), as CMMD (Jayasumana et al. 2024) embeds images with
/// openai/clip-vit-large-patch14-336: patch embedding without bias, class embedding, learned
/// positions, a layer norm before the pre-norm encoder (QuickGELU, as OpenAI trained it), the
/// class token's final layer norm, the projection, and (`embed`) L2 normalisation.
///
/// ```swift
/// let clip = try CLIPImageEncoder(weights: URL(fileURLWithPath: "clip-vit-large-patch14-336.safetensors"))
/// let embedding = clip.embed(pixels, size: 336)   // 768 values, unit length
/// ```
public struct CLIPImageEncoder: Sendable {
    public let width: Int, patch: Int, outputs: Int, imageSize: Int
    private let patchWeight: [Float], classEmbedding: [Float], positions: [Float]
    private let preNorm: TransformerEncoder.LayerNorm, postNorm: TransformerEncoder.LayerNorm
    private let encoder: TransformerEncoder
    private let projection: TransformerEncoder.Linear

    /// CLIP's image normalisation (OpenAI's mean and standard deviation).
    public static let mean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public static let deviation: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// - throws: `LocatedError` naming the file and the tensor that is missing or mis-shaped.
    public init(weights url: URL, heads: Int? = nil, epsilon: Float = 1e-5, activation: TransformerEncoder.Activation = .quickGELU) throws {
        let weights = try NamedWeights(contentsOf: url)
        let v = "vision_model."
        guard let patchShape = weights.shape(v + "embeddings.patch_embedding.weight"), patchShape.count == 4, patchShape[1] == 3 else {
            throw LocatedError(file: url.path, "lacks a 3-channel \(v)embeddings.patch_embedding.weight (Hugging Face's CLIP layout)")
        }
        let d = patchShape[0], p = patchShape[2]
        (width, patch) = (d, p)
        patchWeight = try weights.floats(v + "embeddings.patch_embedding.weight", shape: patchShape)
        classEmbedding = try weights.floats(v + "embeddings.class_embedding", shape: [d])
        guard let positionShape = weights.shape(v + "embeddings.position_embedding.weight"), positionShape.count == 2 else {
            throw LocatedError(file: url.path, "lacks \(v)embeddings.position_embedding.weight")
        }
        let grid = Int(Double(positionShape[0] - 1).squareRoot().rounded())
        guard grid * grid + 1 == positionShape[0] else { throw LocatedError(file: url.path, "position embeddings are not 1 + g² rows") }
        imageSize = grid * p
        positions = try weights.floats(v + "embeddings.position_embedding.weight", shape: [grid * grid + 1, d])
        preNorm = try weights.layerNorm(v + "pre_layrnorm", width: d, epsilon: epsilon)
        postNorm = try weights.layerNorm(v + "post_layernorm", width: d, epsilon: epsilon)
        var depth = 0
        while weights.has(v + "encoder.layers.\(depth).self_attn.q_proj.weight") { depth += 1 }
        guard depth > 0 else { throw LocatedError(file: url.path, "has no \(v)encoder.layers.0") }
        let hidden = weights.shape(v + "encoder.layers.0.mlp.fc1.weight")?.first ?? 4 * d
        let layers = try (0..<depth).map { i -> TransformerEncoder.Layer in
            let b = v + "encoder.layers.\(i)."
            return TransformerEncoder.Layer(
                query: try weights.linear(b + "self_attn.q_proj", inputs: d, outputs: d),
                key: try weights.linear(b + "self_attn.k_proj", inputs: d, outputs: d),
                value: try weights.linear(b + "self_attn.v_proj", inputs: d, outputs: d),
                output: try weights.linear(b + "self_attn.out_proj", inputs: d, outputs: d),
                norm1: try weights.layerNorm(b + "layer_norm1", width: d, epsilon: epsilon),
                norm2: try weights.layerNorm(b + "layer_norm2", width: d, epsilon: epsilon),
                hidden: try weights.linear(b + "mlp.fc1", inputs: d, outputs: hidden),
                projection: try weights.linear(b + "mlp.fc2", inputs: hidden, outputs: d))
        }
        encoder = try TransformerEncoder(layers: layers, heads: heads ?? max(d / 64, 1), norm: .pre, activation: activation)
        guard let projectionShape = weights.shape("visual_projection.weight"), projectionShape.count == 2, projectionShape[1] == d else {
            throw LocatedError(file: url.path, "lacks visual_projection.weight [out, \(d)] (CLIPVisionModelWithProjection)")
        }
        outputs = projectionShape[0]
        projection = try weights.linear("visual_projection", inputs: d, outputs: outputs, bias: false)
    }

    /// The unit-length embedding of one image: `pixels` is [3, size, size], normalised by
    /// `mean` and `deviation`, `size` the size the position embeddings were trained for.
    public func embed(_ pixels: [Float], size: Int) -> [Float] {
        precondition(size == imageSize, "CLIP's position embeddings are for \(imageSize) pixels, not \(size)")
        let grid = size / patch, count = grid * grid, d = width
        let patches = PatchEmbedding.embed(pixels, size: size, patch: patch, weight: patchWeight, bias: nil)
        var tokens = [Float](repeating: 0, count: (count + 1) * d)
        for j in 0..<d { tokens[j] = classEmbedding[j] + positions[j] }
        for i in 0..<(count * d) { tokens[d + i] = patches[i] + positions[d + i] }
        let hidden = encoder(preNorm(tokens, rows: count + 1), tokens: count + 1)
        let pooled = postNorm(Array(hidden.prefix(d)), rows: 1)
        let embedding = projection(pooled, rows: 1)
        let norm = max(embedding.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return embedding.map { $0 / norm }
    }
}
