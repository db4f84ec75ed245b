// libjpeg (Debian: libjpeg-dev, libjpeg-turbo). libjpeg reports fatal errors by calling
// error_exit, which must not return; Swift cannot longjmp, so the whole decode lives in
// this static inline function, which owns the setjmp frame and turns errors into a
// return code plus message.
#ifndef TTUR_CJPEG_SHIM_H
#define TTUR_CJPEG_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

struct ttur_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void ttur_jpeg_error_exit(j_common_ptr info) {
    struct ttur_jpeg_error *error = (struct ttur_jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

static void ttur_jpeg_silence(j_common_ptr info, int level) { (void)info; (void)level; }

/// Decodes a JPEG held in memory to 8-bit RGB, row-major [height, width, 3].
/// On success returns 0 and *pixels is a malloc'd buffer the caller frees.
/// On failure returns 1 and message (JMSG_LENGTH_MAX bytes) holds libjpeg's text.
/// Images of more than max_pixels pixels are refused before their buffer is allocated.
static inline int ttur_jpeg_decode_rgb(const unsigned char *data, unsigned long size,
                                       unsigned char **pixels, int *width, int *height,
                                       unsigned long max_pixels, char *message) {
    struct jpeg_decompress_struct info;
    struct ttur_jpeg_error error;
    unsigned char *volatile buffer = NULL;
    *pixels = NULL;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = ttur_jpeg_error_exit;
    error.manager.emit_message = ttur_jpeg_silence;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        free(buffer);
        strncpy(message, error.message, JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    if ((unsigned long long)info.image_width * info.image_height > max_pixels) {
        jpeg_destroy_decompress(&info);
        snprintf(message, JMSG_LENGTH_MAX, "%ux%u pixels is larger than the %lu pixels this reader accepts",
                 (unsigned)info.image_width, (unsigned)info.image_height, max_pixels);
        return 1;
    }
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 3;
    buffer = (unsigned char *)malloc(stride * info.output_height);
    if (buffer == NULL) {
        jpeg_destroy_decompress(&info);
        strncpy(message, "out of memory", JMSG_LENGTH_MAX - 1);
        return 1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = buffer + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    *pixels = buffer;
    return 0;
}
#endif
