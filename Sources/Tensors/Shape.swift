/// The extents of a row-major tensor, outermost first.
public struct Shape: Hashable, CustomStringConvertible, ExpressibleByArrayLiteral, Sendable {
    public var dimensions: [Int]

    public init(_ dimensions: [Int]) {
        precondition(dimensions.allSatisfy { $0 >= 0 }, "negative extent in shape \(dimensions)")
        self.dimensions = dimensions
    }

    public init(arrayLiteral elements: Int...) { self.init(elements) }

    public var rank: Int { dimensions.count }
    /// Number of elements (1 for a scalar).
    public var count: Int { dimensions.reduce(1, *) }
    public subscript(axis: Int) -> Int { dimensions[axis < 0 ? axis + rank : axis] }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= dimensions[axis]
        }
        return strides
    }

    public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }
}
