// Shape operations and reductions.

extension Tensor {
    /// The same elements under another shape (shares storage; no copy).
    public func reshaped(_ newShape: Shape) -> Tensor {
        precondition(newShape.count == count, "cannot reshape \(shape) to \(newShape)")
        let oldShape = shape
        return Tensor.result("reshape", shape: newShape, storage: storage, inputs: [self]) { g, _, _ in
            [g.reshaped(oldShape)]
        }
    }

    /// Stretches extents of 1 (and missing leading axes) to `target`, NumPy-style.
    public func broadcast(to target: Shape) -> Tensor {
        if target == shape { return self }
        precondition(Broadcasting.shape(shape, target) == target, "cannot broadcast \(shape) to \(target)")
        let out = Storage(count: target.count)
        Broadcasting.expand(storage.pointer, from: shape, to: target, into: out.pointer)
        let original = shape
        return Tensor.result("broadcast", shape: target, storage: out, inputs: [self]) { g, _, _ in
            [g.sum(to: original)]
        }
    }

    /// Sums over the axes along which `target` would broadcast to this shape (the adjoint of
    /// `broadcast(to:)`). `target` may have lower rank.
    public func sum(to target: Shape) -> Tensor {
        if target == shape { return self }
        precondition(Broadcasting.shape(target, shape) == shape, "cannot sum \(shape) to \(target)")
        let out = Storage(count: target.count)
        Broadcasting.reduce(storage.pointer, from: shape, to: target, into: out.pointer)
        let original = shape
        return Tensor.result("sum", shape: target, storage: out, inputs: [self]) { g, _, _ in
            [g.broadcast(to: original)]
        }
    }

    /// The sum of all elements, as a scalar tensor.
    public func sum() -> Tensor { sum(to: []) }

    /// The mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() * (1 / Float(count)) }

    /// Sums over `axes`, keeping them as extents of 1.
    public func sum(alongAxes axes: [Int]) -> Tensor {
        var dims = shape.dimensions
        for axis in axes { dims[axis < 0 ? axis + rank : axis] = 1 }
        return sum(to: Shape(dims))
    }

    /// Swaps the two axes of a matrix.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a matrix, got \(shape)")
        let rows = shape[0], columns = shape[1]
        let out = Storage(count: count)
        let source = storage.pointer, destination = out.pointer
        // Blocked so both sides stay in cache.
        let block = 32
        for r0 in stride(from: 0, to: rows, by: block) {
            for c0 in stride(from: 0, to: columns, by: block) {
                for r in r0..<min(rows, r0 + block) {
                    for c in c0..<min(columns, c0 + block) { destination[c * rows + r] = source[r * columns + c] }
                }
            }
        }
        return Tensor.result("transpose", shape: [columns, rows], storage: out, inputs: [self]) { g, _, _ in
            [g.transposed()]
        }
    }

    /// Joins tensors along their first axis (all other extents equal).
    public static func concatenate(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concatenating nothing")
        let inner = Array(parts[0].shape.dimensions.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dimensions.dropFirst()) == inner },
                     "concatenate: shapes \(parts.map(\.shape)) differ beyond the first axis")
        let rows = parts.reduce(0) { $0 + $1.shape[0] }
        let out = Storage(count: parts.reduce(0) { $0 + $1.count })
        var offset = 0
        for part in parts {
            (out.pointer + offset).update(from: part.storage.pointer, count: part.count)
            offset += part.count
        }
        let extents = parts.map { $0.shape[0] }
        return result("concatenate", shape: Shape([rows] + inner), storage: out, inputs: parts) { g, _, needs in
            var start = 0
            return extents.enumerated().map { index, extent in
                defer { start += extent }
                return needs[index] ? g.slice(start..<(start + extent)) : nil
            }
        }
    }

    /// Rows `range` of the first axis (a copy).
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "slice \(range) of \(shape)")
        let inner = count / max(shape[0], 1)
        var dims = shape.dimensions
        dims[0] = range.count
        let out = Storage(count: range.count * inner)
        out.pointer.update(from: storage.pointer + range.lowerBound * inner, count: range.count * inner)
        let full = shape
        return Tensor.result("slice", shape: Shape(dims), storage: out, inputs: [self]) { g, _, _ in
            [g.padded(toRows: full, at: range.lowerBound)]
        }
    }

    /// Places these rows at `start` inside zeros of shape `full` (the adjoint of `slice`).
    func padded(toRows full: Shape, at start: Int) -> Tensor {
        let inner = full.count / max(full[0], 1)
        let out = Storage(count: full.count, repeating: 0)
        (out.pointer + start * inner).update(from: storage.pointer, count: count)
        let rows = shape[0]
        return Tensor.result("pad", shape: full, storage: out, inputs: [self]) { g, _, _ in
            [g.slice(start..<(start + rows))]
        }
    }

    /// One-hot rows: ids of shape S become a constant of shape S + [depth].
    public static func oneHot(_ ids: [Int], shape: Shape, depth: Int) -> Tensor {
        precondition(ids.count == shape.count, "\(ids.count) ids for shape \(shape)")
        let out = Storage(count: ids.count * depth, repeating: 0)
        for (index, id) in ids.enumerated() {
            precondition(id >= 0 && id < depth, "id \(id) outside 0..<\(depth)")
            out.pointer[index * depth + id] = 1
        }
        return Tensor(shape: Shape(shape.dimensions + [depth]), storage: out)
    }
}
