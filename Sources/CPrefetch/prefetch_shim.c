// The shim is header-only (an inline function); a C target needs one source file.
#include "prefetch_shim.h"
