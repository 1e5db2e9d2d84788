#include "CAllocator.h"

// Included first: it is what defines __GLIBC__ on glibc.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void safelist_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
