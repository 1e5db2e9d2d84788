/// Asks the CPU to start loading the cache line at `address` and carry on: the engine hashes
/// a whole chunk of keys, prefetching each key's Bloom filter line as it goes, so the lines
/// are on their way while the next keys are hashed. Swift has no prefetch of its own.
static inline void safelist_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}
