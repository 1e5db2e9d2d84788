#include <stddef.h>

/// Bytes glibc's malloc has handed out and not had back: what a data structure really keeps,
/// which the resident set size blurs with freed-but-kept pages. Swift's Glibc module does not
/// export mallinfo2, hence this C file.
size_t safelist_heap_in_use(void);
