import Basics

extension Tensor {
    /// Standard-normal values of `shape`.
    public static func randomNormal(_ shape: Shape, using random: inout RandomSource) -> Tensor {
        let out = Storage(count: shape.count)
        for i in 0..<shape.count { out.pointer[i] = Float(random.nextNormal()) }
        return Tensor(shape: shape, storage: out)
    }

    /// Uniform values in [low, high) of `shape`.
    public static func randomUniform(_ shape: Shape, low: Float = 0, high: Float = 1,
                                     using random: inout RandomSource) -> Tensor {
        let out = Storage(count: shape.count)
        let span = Double(high - low)
        for i in 0..<shape.count { out.pointer[i] = Float(Double(low) + span * random.nextUniform()) }
        return Tensor(shape: shape, storage: out)
    }
}
