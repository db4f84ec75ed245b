import Basics
import Foundation

/// A sentence-transformers model folder of a BERT-family encoder with mean pooling, as
/// all-MiniLM-L6-v2 ships (Reimers & Gurevych 2019): `config.json`, `vocab.txt`, the weights
/// (`model.safetensors` or `pytorch_model.bin`), `sentence_bert_config.json` (the maximum
/// sequence length), `1_Pooling/config.json` (mean pooling) and `modules.json` (whether a
/// Normalize module ends it). Each sentence is embedded on its own (no padding, so no
/// attention mask is needed): token, position and segment-0 embeddings, layer norm, the
/// post-norm encoder with GELU, the mean over its tokens, L2-normalised where the model says.
///
/// ```swift
/// let encoder = try SentenceEncoder(folder: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let embeddings = encoder.embed(["A man is eating food.", "A man is riding a horse."])   // 2 × 384
/// ```
public struct SentenceEncoder: Sendable {
    public let tokenizer: WordPieceTokenizer
    public let width: Int
    public let normalizes: Bool
    private let wordEmbeddings: [Float], positionEmbeddings: [Float], segmentEmbedding: [Float]
    private let embeddingNorm: TransformerEncoder.LayerNorm
    private let encoder: TransformerEncoder

    private struct Config: Decodable {
        let hidden_size: Int, num_attention_heads: Int, num_hidden_layers: Int, intermediate_size: Int
        let vocab_size: Int, max_position_embeddings: Int, type_vocab_size: Int?
        let layer_norm_eps: Float?, hidden_act: String?
    }

    /// - throws: `LocatedError` naming the file that is missing, malformed or of another
    ///   architecture (pooling other than mean, an activation other than GELU).
    public init(folder: URL) throws {
        func json<T: Decodable>(_ name: String, _ type: T.Type) throws -> T {
            let url = folder.appendingPathComponent(name)
            do { return try JSONDecoder().decode(T.self, from: try FileBytes.read(url)) } catch let error as LocatedError {
                throw error
            } catch {
                throw LocatedError(file: url.path, "not the expected JSON: \(error)")
            }
        }
        let config = try json("config.json", Config.self)
        guard config.hidden_act ?? "gelu" == "gelu" else {
            throw LocatedError(file: folder.appendingPathComponent("config.json").path, "hidden_act \(config.hidden_act!): only gelu is supported")
        }
        struct Pooling: Decodable { let pooling_mode_mean_tokens: Bool }
        let poolingURL = folder.appendingPathComponent("1_Pooling/config.json")
        if FileManager.default.fileExists(atPath: poolingURL.path), !(try json("1_Pooling/config.json", Pooling.self).pooling_mode_mean_tokens) {
            throw LocatedError(file: poolingURL.path, "only mean pooling is supported")
        }
        struct Module: Decodable { let type: String }
        let modules = (try? json("modules.json", [Module].self)) ?? []
        normalizes = modules.contains { $0.type.hasSuffix("Normalize") }
        struct SentenceConfig: Decodable { let max_seq_length: Int }
        let maxLength = (try? json("sentence_bert_config.json", SentenceConfig.self).max_seq_length) ?? config.max_position_embeddings
        tokenizer = try WordPieceTokenizer(vocabulary: folder.appendingPathComponent("vocab.txt"), maxLength: min(maxLength, config.max_position_embeddings))

        let weightsURL = ["model.safetensors", "pytorch_model.bin"].map { folder.appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        guard let weightsURL else { throw LocatedError(file: folder.path, "holds neither model.safetensors nor pytorch_model.bin") }
        var weights = try NamedWeights(contentsOf: weightsURL)
        if !weights.has("embeddings.word_embeddings.weight") { weights.prefix = "bert." }
        let d = config.hidden_size, epsilon = config.layer_norm_eps ?? 1e-12
        width = d
        wordEmbeddings = try weights.floats("embeddings.word_embeddings.weight", shape: [config.vocab_size, d])
        positionEmbeddings = try weights.floats("embeddings.position_embeddings.weight", shape: [config.max_position_embeddings, d])
        segmentEmbedding = Array(try weights.floats("embeddings.token_type_embeddings.weight", shape: [config.type_vocab_size ?? 2, d]).prefix(d))
        embeddingNorm = try weights.layerNorm("embeddings.LayerNorm", width: d, epsilon: epsilon)
        let layers = try (0..<config.num_hidden_layers).map { i -> TransformerEncoder.Layer in
            let p = "encoder.layer.\(i)."
            return TransformerEncoder.Layer(
                query: try weights.linear(p + "attention.self.query", inputs: d, outputs: d),
                key: try weights.linear(p + "attention.self.key", inputs: d, outputs: d),
                value: try weights.linear(p + "attention.self.value", inputs: d, outputs: d),
                output: try weights.linear(p + "attention.output.dense", inputs: d, outputs: d),
                norm1: try weights.layerNorm(p + "attention.output.LayerNorm", width: d, epsilon: epsilon),
                norm2: try weights.layerNorm(p + "output.LayerNorm", width: d, epsilon: epsilon),
                hidden: try weights.linear(p + "intermediate.dense", inputs: d, outputs: config.intermediate_size),
                projection: try weights.linear(p + "output.dense", inputs: config.intermediate_size, outputs: d))
        }
        encoder = try TransformerEncoder(layers: layers, heads: config.num_attention_heads, norm: .post, activation: .gelu)
    }

    /// One embedding (`width` values) per sentence.
    public func embed(_ sentences: [String]) -> [[Float]] {
        sentences.map { sentence in
            let ids = tokenizer.ids(sentence)
            var x = [Float](repeating: 0, count: ids.count * width)
            for (position, id) in ids.enumerated() {
                for j in 0..<width {
                    x[position * width + j] = wordEmbeddings[Int(id) * width + j] + positionEmbeddings[position * width + j] + segmentEmbedding[j]
                }
            }
            let hidden = encoder(embeddingNorm(x, rows: ids.count), tokens: ids.count)
            var pooled = [Float](repeating: 0, count: width)
            for position in 0..<ids.count { for j in 0..<width { pooled[j] += hidden[position * width + j] } }
            for j in 0..<width { pooled[j] /= Float(ids.count) }
            guard normalizes else { return pooled }
            let norm = max(pooled.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            return pooled.map { $0 / norm }
        }
    }
}
