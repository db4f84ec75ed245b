// zlib (Debian: zlib1g-dev). Named CZlibShim, not CZlib: ZIPFoundation already defines a
// Clang module CZlib, and two modules of one name in one build are an error.
// inflateInit2 is a macro that passes ZLIB_VERSION and sizeof(z_stream); Swift imports
// neither, so this wrapper does it.
#ifndef TTUR_CZLIB_SHIM_H
#define TTUR_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 for gzip members only (window bits 16 + MAX_WBITS: header and CRC-32 checked).
static inline int ttur_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}

/// inflateInit2 for raw deflate data (zip members: window bits −MAX_WBITS, no header).
static inline int ttur_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -MAX_WBITS);
}
#endif
