@testable import FID
import Foundation
import XCTest

final class StatisticsAccumulatorTests: XCTestCase {
    private let rows = 97, columns = 16

    private func accumulate(_ features: [Float], order: [Int], batch: Int) -> FeatureStatistics {
        var accumulator = StatisticsAccumulator(dimensions: columns)
        var start = 0
        while start < order.count {
            let chunk = order[start ..< min(start + batch, order.count)].flatMap { features[$0 * columns ..< ($0 + 1) * columns] }
            chunk.withUnsafeBufferPointer { accumulator.add($0, rows: chunk.count / columns) }
            start += batch
        }
        return accumulator.statistics()
    }

    func testMatchesTwoPassMeanAndUnbiasedCovariance() {
        let features = FrechetDistanceTests.features(rows: rows, columns: columns, seed: 11)
        let statistics = accumulate(features, order: Array(0..<rows), batch: 10)
        XCTAssertEqual(statistics.sampleCount, rows)
        var mean = [Double](repeating: 0, count: columns)
        for r in 0..<rows { for c in 0..<columns { mean[c] += Double(features[r * columns + c]) / Double(rows) } }
        for c in 0..<columns { XCTAssertEqual(statistics.mean[c], mean[c], accuracy: 1e-13) }
        for i in 0..<columns {
            for j in 0..<columns {
                var sum = 0.0
                for r in 0..<rows { sum += (Double(features[r * columns + i]) - mean[i]) * (Double(features[r * columns + j]) - mean[j]) }
                XCTAssertEqual(statistics.covariance[i * columns + j], sum / Double(rows - 1), accuracy: 1e-13)
            }
        }
    }

    func testInvariantToBatchSizeAndFileOrderToOneTenBillionth() {
        let features = FrechetDistanceTests.features(rows: rows, columns: columns, seed: 12)
        let reference = accumulate(features, order: Array(0..<rows), batch: 50)
        var generator = SystemRandomNumberGenerator()
        for (order, batch) in [(Array(0..<rows), 1), (Array(0..<rows).reversed(), 7), (Array(0..<rows).shuffled(using: &generator), 13)] {
            let other = accumulate(features, order: order, batch: batch)
            for (x, y) in zip(other.mean + other.covariance, reference.mean + reference.covariance) {
                XCTAssertEqual(x, y, accuracy: 1e-10 * max(1, abs(y)))
            }
        }
    }
}
