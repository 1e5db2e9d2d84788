/// Hands memory the allocator holds free back to the system. glibc keeps what was freed in its
/// arenas, so a server that once loaded many accounts would stay that large after dropping them;
/// `malloc_trim` is glibc's and not in Swift's Glibc module. Elsewhere this does nothing.
void safelist_release_free_memory(void);
