#include "icu_shim.h"
#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>
#include <unicode/utypes.h>

void *ttur_break_open(int kind, int32_t *error) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIteratorType type = kind == TTUR_BREAK_WORD ? UBRK_WORD : UBRK_CHARACTER;
    UBreakIterator *it = ubrk_open(type, "", NULL, 0, &status);
    *error = (int32_t)status;
    return U_FAILURE(status) ? NULL : it;
}

void ttur_break_set_text(void *iterator, const uint16_t *text, int32_t length, int32_t *error) {
    UErrorCode status = U_ZERO_ERROR;
    ubrk_setText((UBreakIterator *)iterator, (const UChar *)text, length, &status);
    *error = (int32_t)status;
}

int32_t ttur_break_next(void *iterator) {
    int32_t next = ubrk_next((UBreakIterator *)iterator);
    return next == UBRK_DONE ? -1 : next;
}

int32_t ttur_break_rule_status(void *iterator) {
    return ubrk_getRuleStatus((UBreakIterator *)iterator);
}

void ttur_break_close(void *iterator) {
    if (iterator) ubrk_close((UBreakIterator *)iterator);
}

int32_t ttur_to_lower(const uint16_t *source, int32_t length, uint16_t *destination,
                      int32_t capacity, int32_t *error) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t needed = u_strToLower((UChar *)destination, capacity, (const UChar *)source, length,
                                  "", &status);
    *error = (int32_t)status;
    return needed;
}

const char *ttur_icu_version(void) {
    static char text[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo version;
    u_getVersion(version);
    u_versionToString(version, text);
    return text;
}

const char *ttur_icu_error_name(int32_t error) {
    return u_errorName((UErrorCode)error);
}
