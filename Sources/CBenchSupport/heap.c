#include <malloc.h>
#include "CBenchSupport.h"

size_t safelist_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
