import Foundation

/// The shell both reports share: one self-contained HTML document (inline CSS, inline SVG,
/// no scripts, nothing fetched), written as polyglot markup (every element closed, every
/// text escaped) so that an XML parser checks it as strictly as a browser reads it.
enum HTMLPage {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(escape(title))</title>
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px; color: #222; background: #fff; }
        h1 { font-size: 22px; margin: 0 0 4px 0; }
        h2 { font-size: 17px; margin: 28px 0 8px 0; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        h3 { font-size: 14px; margin: 16px 0 6px 0; }
        p, li { font-size: 13px; line-height: 1.45; max-width: 1100px; }
        .meta { color: #666; font-size: 12px; }
        .grid { display: flex; flex-wrap: wrap; gap: 12px; }
        .grid svg { border: 1px solid #eee; background: #fff; }
        table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
        th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
        th { background: #f5f5f5; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        pre { font-size: 12px; background: #f8f8f8; border: 1px solid #eee; padding: 8px; max-width: 1100px; overflow-x: auto; }
        .good { color: #1a7f37; font-weight: bold; }
        .bad { color: #b42318; font-weight: bold; }
        .swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 6px; }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// `<table>` from a header row and rows of cells already escaped; cells that parse as
    /// numbers are right-aligned.
    static func table(header: [String], rows: [[String]]) -> String {
        var html = "<table>\n<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows {
            html += "<tr>" + row.map { cell in
                Double(cell) != nil ? "<td class=\"number\">\(cell)</td>" : "<td>\(cell)</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }
}

/// Number formatting for labels and tables.
enum NumberText {
    /// "3e-4" for 0.0003, "0.01" when that is as short, at most `digits` significant digits.
    static func compact(_ value: Double, digits: Int = 2) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        if value == 0 { return "0" }
        let scientific = String(format: "%.\(max(digits - 1, 0))e", value)
        let parts = scientific.split(separator: "e")
        var mantissa = String(parts[0])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        let exponent = Int(parts[1]) ?? 0
        let plain = fixed(value, significant: digits)
        let short = "\(mantissa)e\(exponent)"
        return plain.count <= short.count || (-3...4).contains(exponent) && plain.count <= 7 ? plain : short
    }

    /// Fixed-point with `significant` significant digits and no trailing zeros.
    static func fixed(_ value: Double, significant: Int) -> String {
        let magnitude = value == 0 ? 0 : Int(floor(log10(abs(value))))
        let decimals = max(0, significant - 1 - magnitude)
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
