// libpng (Debian: libpng-dev). ttur-text uses only the simplified API
// (png_image_begin_read_from_memory / png_image_finish_read / png_image_write_to_memory),
// which reports errors through png_image.message instead of longjmp, so Swift can call it
// directly.
#include <png.h>

// PNG_FORMAT_RGBA and friends are compound macros that Swift does not import.
static const unsigned int ttur_png_format_rgba = PNG_FORMAT_RGBA;
static const unsigned int ttur_png_format_rgb = PNG_FORMAT_RGB;
static const unsigned int ttur_png_format_gray = PNG_FORMAT_GRAY;
