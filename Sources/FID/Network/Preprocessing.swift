import Tensors

/// How images reach Inception's 299×299: pytorch-fid's bilinear resize (the default, FID at
/// parity with pytorch-fid), or clean-fid's "clean" resize (Parmar, Zhang & Zhu 2022, *On
/// Aliased Resizing and Surprising Subtleties in GAN Evaluation*): each channel as a float
/// image through Pillow's antialiased bicubic filter, clipped to [0, 255].
public enum FIDResize: String, CaseIterable, Sendable {
    case pytorchFID = "pytorch-fid"
    case clean
}

/// pytorch-fid's input transform: uint8 → [0, 1], resized to `size`×`size` (bilinear,
/// align_corners=False, no antialiasing, as F.interpolate; or clean-fid's "clean" resize),
/// then 2x − 1.
enum Preprocessing {
    static let size = 299

    static func description(_ resize: FIDResize) -> String {
        switch resize {
        case .pytorchFID: return "uint8/255, bilinear resize to 299x299 (align_corners=False), 2x-1 (pytorch-fid)"
        case .clean: return "clean-fid's clean resize: each channel as float through Pillow's bicubic filter to 299x299, clipped to [0, 255]; /255, 2x-1"
        }
    }

    /// Writes image `index` of `output` (299×299×3) from one uint8 `[height, width, 3]` image.
    static func resizeAndNormalise(_ pixels: UnsafePointer<UInt8>, height: Int, width: Int,
                                   into output: FeatureMap, at index: Int, resize: FIDResize = .pytorchFID) {
        precondition(output.channels == 3)
        switch resize {
        case .pytorchFID:
            Inference.resizeBilinear(pixels, height: height, width: width, into: output, at: index, scale: 2, shift: -1)
        case .clean:
            let destination = output.pointer + index * size * size * 3
            for channel in 0..<3 {
                let plane = (0..<(height * width)).map { Float(pixels[$0 * 3 + channel]) }
                let resized = PILResize.resize(plane: plane, width: width, height: height, toWidth: size, toHeight: size)
                for (i, value) in resized.enumerated() { destination[i * 3 + channel] = min(max(value, 0), 255) / 255 * 2 - 1 }
            }
        }
    }
}
