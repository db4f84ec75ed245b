/// `a × b × …`, or nil when the product overflows `Int`.
public func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        let (value, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = value
    }
    return product
}
