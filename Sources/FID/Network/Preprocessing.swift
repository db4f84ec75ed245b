import Tensors

/// pytorch-fid's input transform: uint8 → [0, 1], bilinear resize (align_corners=False,
/// no antialiasing, as F.interpolate) to `size`×`size`, then 2x − 1.
enum Preprocessing {
    static let description = "uint8/255, bilinear resize to 299x299 (align_corners=False), 2x-1 (pytorch-fid)"
    static let size = 299

    /// Writes image `index` of `output` (299×299×3) from one uint8 `[height, width, 3]` image.
    static func resizeAndNormalise(_ pixels: UnsafePointer<UInt8>, height: Int, width: Int,
                                   into output: FeatureMap, at index: Int) {
        precondition(output.channels == 3)
        Inference.resizeBilinear(pixels, height: height, width: width, into: output, at: index, scale: 2, shift: -1)
    }
}
