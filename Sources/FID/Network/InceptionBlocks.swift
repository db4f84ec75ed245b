import Foundation
import Tensors

/// Supplies pytorch-fid's BasicConv2d parameters (`PREFIX.conv.weight`, `PREFIX.bn.*`) by
/// name and expected shape, and folds them into convolutions.
struct WeightSource {
    /// torchvision's BasicConv2d: BatchNorm2d(eps=0.001).
    static let batchNormEpsilon = 0.001
    let provide: (_ name: String, _ shape: [Int]) throws -> [Float]

    /// Tensors of a state dict, shapes checked.
    init(tensors: [String: SafeTensorsEntry]) {
        provide = { name, expected in
            guard let entry = tensors[name] else { throw LocatedError("the weights have no tensor \(name)") }
            guard entry.shape == expected else { throw LocatedError("\(name) has shape \(entry.shape), \(expected) expected") }
            return entry.floats()
        }
    }

    init(provide: @escaping (_ name: String, _ shape: [Int]) throws -> [Float]) {
        self.provide = provide
    }

    private func floats(_ name: String, shape: [Int]) throws -> (values: [Float], shape: [Int]) {
        (try provide(name, shape), shape)
    }

    func convolution(_ prefix: String, _ inChannels: Int, _ outChannels: Int, kernel: (Int, Int),
                     stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) throws -> Inference.Convolution {
        let weight = try floats(prefix + ".conv.weight", shape: [outChannels, inChannels, kernel.0, kernel.1])
        let vector = [outChannels]
        return Inference.Convolution(
            convolutionWeights: weight.values, shape: weight.shape,
            gamma: try floats(prefix + ".bn.weight", shape: vector).values,
            beta: try floats(prefix + ".bn.bias", shape: vector).values,
            runningMean: try floats(prefix + ".bn.running_mean", shape: vector).values,
            runningVariance: try floats(prefix + ".bn.running_var", shape: vector).values,
            epsilon: Self.batchNormEpsilon, stride: stride, padding: padding)
    }

    func convolution(_ prefix: String, _ inChannels: Int, _ outChannels: Int, kernel: Int,
                     stride: Int = 1, padding: Int = 0) throws -> Inference.Convolution {
        try convolution(prefix, inChannels, outChannels, kernel: (kernel, kernel), stride: (stride, stride),
                        padding: (padding, padding))
    }
}

/// Runs the branch convolutions in order, the last one writing into the concatenation.
private func chain(_ convolutions: [Inference.Convolution], _ input: FeatureMap, into output: FeatureMap, at offset: Int) {
    var current = input
    for convolution in convolutions.dropLast() { current = convolution(current) }
    convolutions.last!.apply(current, into: output, channelOffset: offset)
}

/// The pooling branch of the A, C and E blocks: a 3×3 stride-1 pool (average without the
/// padding, or max), then a 1×1 convolution into the concatenation.
private func poolBranch(_ x: FeatureMap, _ convolution: Inference.Convolution, maxPool: Bool = false,
                        into output: FeatureMap, at offset: Int) {
    let pooled = FeatureMap(batch: x.batch, height: x.height, width: x.width, channels: x.channels)
    if maxPool {
        Inference.maxPool3x3(x, stride: 1, padding: 1, into: pooled, channelOffset: 0)
    } else {
        Inference.averagePool3x3(x, into: pooled, channelOffset: 0)
    }
    convolution.apply(pooled, into: output, channelOffset: offset)
}

/// Stride-1 blocks (A, C): convolution chains side by side, then the pooling branch last.
private func concatenate(_ x: FeatureMap, channels: Int, chains: [([Inference.Convolution], Int)],
                         pool: Inference.Convolution, at poolOffset: Int) -> FeatureMap {
    let out = FeatureMap(batch: x.batch, height: x.height, width: x.width, channels: channels)
    for (convolutions, offset) in chains { chain(convolutions, x, into: out, at: offset) }
    poolBranch(x, pool, into: out, at: poolOffset)
    return out
}

/// pytorch-fid's FIDInceptionA (Mixed_5b/c/d): 1×1 | 1×1→5×5 | 1×1→3×3→3×3 | avg-pool
/// (count_include_pad=False)→1×1, concatenated.
struct InceptionA {
    let branch1x1: Inference.Convolution
    let branch5x5: [Inference.Convolution]
    let branch3x3dbl: [Inference.Convolution]
    let branchPool: Inference.Convolution

    init(_ w: WeightSource, _ name: String, inChannels: Int, poolFeatures: Int) throws {
        branch1x1 = try w.convolution(name + ".branch1x1", inChannels, 64, kernel: 1)
        branch5x5 = [try w.convolution(name + ".branch5x5_1", inChannels, 48, kernel: 1),
                     try w.convolution(name + ".branch5x5_2", 48, 64, kernel: 5, padding: 2)]
        branch3x3dbl = [try w.convolution(name + ".branch3x3dbl_1", inChannels, 64, kernel: 1),
                        try w.convolution(name + ".branch3x3dbl_2", 64, 96, kernel: 3, padding: 1),
                        try w.convolution(name + ".branch3x3dbl_3", 96, 96, kernel: 3, padding: 1)]
        branchPool = try w.convolution(name + ".branch_pool", inChannels, poolFeatures, kernel: 1)
    }

    var outChannels: Int { 64 + 64 + 96 + branchPool.outChannels }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        concatenate(x, channels: outChannels, chains: [([branch1x1], 0), (branch5x5, 64), (branch3x3dbl, 128)],
                    pool: branchPool, at: 224)
    }
}

/// torchvision's InceptionB (Mixed_6a): 3×3/2 | 1×1→3×3→3×3/2 | max-pool 3/2.
struct InceptionB {
    let branch3x3: Inference.Convolution
    let branch3x3dbl: [Inference.Convolution]

    init(_ w: WeightSource, _ name: String, inChannels: Int) throws {
        branch3x3 = try w.convolution(name + ".branch3x3", inChannels, 384, kernel: 3, stride: 2)
        branch3x3dbl = [try w.convolution(name + ".branch3x3dbl_1", inChannels, 64, kernel: 1),
                        try w.convolution(name + ".branch3x3dbl_2", 64, 96, kernel: 3, padding: 1),
                        try w.convolution(name + ".branch3x3dbl_3", 96, 96, kernel: 3, stride: 2)]
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        let size = branch3x3.outputSize(height: x.height, width: x.width)
        let out = FeatureMap(batch: x.batch, height: size.height, width: size.width, channels: 384 + 96 + x.channels)
        branch3x3.apply(x, into: out, channelOffset: 0)
        chain(branch3x3dbl, x, into: out, at: 384)
        Inference.maxPool3x3(x, stride: 2, padding: 0, into: out, channelOffset: 480)
        return out
    }
}

/// pytorch-fid's FIDInceptionC (Mixed_6b–e): 1×1 | 1×1→1×7→7×1 | 1×1→7×1→1×7→7×1→1×7 |
/// avg-pool (count_include_pad=False)→1×1.
struct InceptionC {
    let branch1x1: Inference.Convolution
    let branch7x7: [Inference.Convolution]
    let branch7x7dbl: [Inference.Convolution]
    let branchPool: Inference.Convolution

    init(_ w: WeightSource, _ name: String, inChannels: Int, channels7x7 c7: Int) throws {
        branch1x1 = try w.convolution(name + ".branch1x1", inChannels, 192, kernel: 1)
        branch7x7 = [try w.convolution(name + ".branch7x7_1", inChannels, c7, kernel: 1),
                     try w.convolution(name + ".branch7x7_2", c7, c7, kernel: (1, 7), padding: (0, 3)),
                     try w.convolution(name + ".branch7x7_3", c7, 192, kernel: (7, 1), padding: (3, 0))]
        branch7x7dbl = [try w.convolution(name + ".branch7x7dbl_1", inChannels, c7, kernel: 1),
                        try w.convolution(name + ".branch7x7dbl_2", c7, c7, kernel: (7, 1), padding: (3, 0)),
                        try w.convolution(name + ".branch7x7dbl_3", c7, c7, kernel: (1, 7), padding: (0, 3)),
                        try w.convolution(name + ".branch7x7dbl_4", c7, c7, kernel: (7, 1), padding: (3, 0)),
                        try w.convolution(name + ".branch7x7dbl_5", c7, 192, kernel: (1, 7), padding: (0, 3))]
        branchPool = try w.convolution(name + ".branch_pool", inChannels, 192, kernel: 1)
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        concatenate(x, channels: 768, chains: [([branch1x1], 0), (branch7x7, 192), (branch7x7dbl, 384)],
                    pool: branchPool, at: 576)
    }
}

/// torchvision's InceptionD (Mixed_7a): 1×1→3×3/2 | 1×1→1×7→7×1→3×3/2 | max-pool 3/2.
struct InceptionD {
    let branch3x3: [Inference.Convolution]
    let branch7x7x3: [Inference.Convolution]

    init(_ w: WeightSource, _ name: String, inChannels: Int) throws {
        branch3x3 = [try w.convolution(name + ".branch3x3_1", inChannels, 192, kernel: 1),
                     try w.convolution(name + ".branch3x3_2", 192, 320, kernel: 3, stride: 2)]
        branch7x7x3 = [try w.convolution(name + ".branch7x7x3_1", inChannels, 192, kernel: 1),
                       try w.convolution(name + ".branch7x7x3_2", 192, 192, kernel: (1, 7), padding: (0, 3)),
                       try w.convolution(name + ".branch7x7x3_3", 192, 192, kernel: (7, 1), padding: (3, 0)),
                       try w.convolution(name + ".branch7x7x3_4", 192, 192, kernel: 3, stride: 2)]
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        let size = Inference.pool3x3OutputSize(x.height, stride: 2, padding: 0)
        let out = FeatureMap(batch: x.batch, height: size, width: size, channels: 320 + 192 + x.channels)
        chain(branch3x3, x, into: out, at: 0)
        chain(branch7x7x3, x, into: out, at: 320)
        Inference.maxPool3x3(x, stride: 2, padding: 0, into: out, channelOffset: 512)
        return out
    }
}

/// pytorch-fid's FIDInceptionE_1 (Mixed_7b, average pool with count_include_pad=False) and
/// FIDInceptionE_2 (Mixed_7c, max pool 3/1/1): 1×1 | 1×1→[1×3, 3×1] | 1×1→3×3→[1×3, 3×1] |
/// pool→1×1.
struct InceptionE {
    let branch1x1: Inference.Convolution
    let branch3x3: Inference.Convolution
    let branch3x3Split: (Inference.Convolution, Inference.Convolution)
    let branch3x3dbl: [Inference.Convolution]
    let branch3x3dblSplit: (Inference.Convolution, Inference.Convolution)
    let branchPool: Inference.Convolution
    let maxPool: Bool

    init(_ w: WeightSource, _ name: String, inChannels: Int, maxPool: Bool) throws {
        branch1x1 = try w.convolution(name + ".branch1x1", inChannels, 320, kernel: 1)
        branch3x3 = try w.convolution(name + ".branch3x3_1", inChannels, 384, kernel: 1)
        branch3x3Split = (try w.convolution(name + ".branch3x3_2a", 384, 384, kernel: (1, 3), padding: (0, 1)),
                          try w.convolution(name + ".branch3x3_2b", 384, 384, kernel: (3, 1), padding: (1, 0)))
        branch3x3dbl = [try w.convolution(name + ".branch3x3dbl_1", inChannels, 448, kernel: 1),
                        try w.convolution(name + ".branch3x3dbl_2", 448, 384, kernel: 3, padding: 1)]
        branch3x3dblSplit = (try w.convolution(name + ".branch3x3dbl_3a", 384, 384, kernel: (1, 3), padding: (0, 1)),
                             try w.convolution(name + ".branch3x3dbl_3b", 384, 384, kernel: (3, 1), padding: (1, 0)))
        branchPool = try w.convolution(name + ".branch_pool", inChannels, 192, kernel: 1)
        self.maxPool = maxPool
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        let out = FeatureMap(batch: x.batch, height: x.height, width: x.width, channels: 2048)
        branch1x1.apply(x, into: out, channelOffset: 0)
        let middle = branch3x3(x)
        branch3x3Split.0.apply(middle, into: out, channelOffset: 320)
        branch3x3Split.1.apply(middle, into: out, channelOffset: 704)
        var double = x
        for convolution in branch3x3dbl { double = convolution(double) }
        branch3x3dblSplit.0.apply(double, into: out, channelOffset: 1088)
        branch3x3dblSplit.1.apply(double, into: out, channelOffset: 1472)
        poolBranch(x, branchPool, maxPool: maxPool, into: out, at: 1856)
        return out
    }
}
