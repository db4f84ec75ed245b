// A thin C face over Debian's ICU (libicuuc/libicui18n).
//
// Why a C target: Foundation on Linux carries its own ICU as the Clang module
// `_FoundationICU`; importing Debian's `unicode/*.h` into a Swift module that also
// sees Foundation fails on duplicate enum definitions. So the ICU headers are
// included only in icu_shim.c and Swift sees plain C types.
#ifndef TTUR_ICU_SHIM_H
#define TTUR_ICU_SHIM_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Kinds of text boundary analysis.
enum ttur_break_kind {
    TTUR_BREAK_CHARACTER = 0, ///< user-perceived characters (extended grapheme clusters)
    TTUR_BREAK_WORD = 1       ///< words, per UAX #29
};

/// Opens a break iterator for the root locale. Returns NULL and sets *error (ICU's
/// UErrorCode value) on failure.
void *ttur_break_open(int kind, int32_t *error);
/// Points the iterator at UTF-16 text, which must outlive the iteration.
void ttur_break_set_text(void *iterator, const uint16_t *text, int32_t length, int32_t *error);
/// The next boundary offset in UTF-16 units, or -1 when done.
int32_t ttur_break_next(void *iterator);
/// For word iterators: the rule status of the last boundary (0 = not a word, e.g. spaces
/// and punctuation; ≥100 numbers/letters/kana/ideographs, ICU's UWordBreak ranges).
int32_t ttur_break_rule_status(void *iterator);
void ttur_break_close(void *iterator);

/// Lower-cases UTF-16 text in the root locale. Returns the needed length; when it exceeds
/// capacity, nothing useful is written and *error is U_BUFFER_OVERFLOW_ERROR (15).
int32_t ttur_to_lower(const uint16_t *source, int32_t length, uint16_t *destination,
                      int32_t capacity, int32_t *error);

/// ICU's version string, e.g. "72.1".
const char *ttur_icu_version(void);

/// A readable name for an ICU error code.
const char *ttur_icu_error_name(int32_t error);

#ifdef __cplusplus
}
#endif
#endif
