/// A token id: an index into a ``Vocabulary``. Prepared datasets store them as
/// little-endian `UInt16`, so a vocabulary has at most 65,535 entries.
public typealias TokenID = UInt16

/// What one token of a sentence is.
public enum UnitKind: String, Sendable, CaseIterable, Codable {
    /// A user-perceived character (an extended grapheme cluster, ICU's character break
    /// iterator). The default.
    case grapheme
    /// A Unicode scalar: exactly the anchor's Python `tuple(line)`.
    case codepoint
    /// A word (ICU's word break iterator over the lower-cased line; whitespace segments are
    /// dropped, punctuation segments kept), for word-level statistics.
    case word
}
