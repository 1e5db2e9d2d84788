#include "CSQLiteSettings.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// SQLite's allocator, with a cache of freed blocks per thread and size class in front of the
// system's malloc. Debian builds SQLite without lookaside, so every small object a statement
// makes (a cursor, a record, a key) is a malloc and a free, and glibc's own per-thread cache
// (seven blocks a size) overflows into its arenas: glibc was 3 % of the server's CPU on creates,
// on the writer thread alone (docs/benchmarks.md, "SQLite's small allocations cached per
// thread").
//
// Each block carries an 8-byte header in front: its size class, or for a block larger than the
// largest class, its size. SQLite needs 8-byte alignment, which a 16-byte aligned malloc plus 8
// keeps. A freed block of a class goes onto the freeing thread's list (a block may be freed on
// another thread than the one that made it) until the list holds `CACHED` blocks; past that,
// and for large blocks, it goes back to malloc: at most 2 MB a thread. A thread's lists are
// returned when it exits.

#define CLASSES 14
#define CACHED 512
static const uint32_t class_size[CLASSES] = {16, 32, 48, 64, 96, 128, 160, 192, 256, 320, 384, 512, 768, 1024};
#define LARGEST 1024
#define LARGE_MARK ((uint64_t)1 << 63)

typedef struct cache {
    void *head[CLASSES];
    uint32_t count[CLASSES];
    int registered;
} cache;

static __thread cache thread_cache;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void release_cache(void *value) {
    cache *c = value;
    for (int k = 0; k < CLASSES; k++) {
        while (c->head[k]) {
            void *block = c->head[k];
            c->head[k] = *(void **)block;
            free((char *)block - 8);
        }
        c->count[k] = 0;
    }
    // A block freed after this (another destructor of the exiting thread) registers the cache
    // again, and the system calls this once more.
    c->registered = 0;
}

static void make_exit_key(void) { pthread_key_create(&exit_key, release_cache); }

static inline int class_of(int n) {
    for (int k = 0; k < CLASSES; k++) {
        if ((uint32_t)n <= class_size[k]) return k;
    }
    return -1;
}

static void *cached_malloc(int n) {
    if (n <= 0) return NULL;
    int k = class_of(n);
    if (k < 0) {
        uint64_t *raw = malloc(8 + (size_t)n);
        if (!raw) return NULL;
        raw[0] = LARGE_MARK | (uint64_t)n;
        return raw + 1;
    }
    cache *c = &thread_cache;
    void *block = c->head[k];
    if (block) {
        c->head[k] = *(void **)block;
        c->count[k]--;
        return block;
    }
    uint64_t *raw = malloc(8 + class_size[k]);
    if (!raw) return NULL;
    raw[0] = (uint64_t)k;
    return raw + 1;
}

static void cached_free(void *p) {
    if (!p) return;
    uint64_t *raw = (uint64_t *)p - 1;
    uint64_t header = raw[0];
    if (header & LARGE_MARK) {
        free(raw);
        return;
    }
    cache *c = &thread_cache;
    int k = (int)header;
    if (c->count[k] >= CACHED) {
        free(raw);
        return;
    }
    if (!c->registered) {
        // Registered once per thread, at its first cached block, so that its exit returns them.
        pthread_once(&exit_key_once, make_exit_key);
        pthread_setspecific(exit_key, c);
        c->registered = 1;
    }
    *(void **)p = c->head[k];
    c->head[k] = p;
    c->count[k]++;
}

static int cached_size(void *p) {
    if (!p) return 0;
    uint64_t header = ((uint64_t *)p)[-1];
    return header & LARGE_MARK ? (int)(header & ~LARGE_MARK) : (int)class_size[header];
}

static void *cached_realloc(void *p, int n) {
    if (!p) return cached_malloc(n);
    int have = cached_size(p);
    uint64_t header = ((uint64_t *)p)[-1];
    if ((header & LARGE_MARK) && n > LARGEST) {
        uint64_t *raw = realloc((uint64_t *)p - 1, 8 + (size_t)n);
        if (!raw) return NULL;
        raw[0] = LARGE_MARK | (uint64_t)n;
        return raw + 1;
    }
    // A block of a class that still fits, and is not much larger, stays where it is.
    if (!(header & LARGE_MARK) && n <= have && (header == 0 || n > (int)class_size[header - 1])) return p;
    void *moved = cached_malloc(n);
    if (!moved) return NULL;
    memcpy(moved, p, (size_t)(have < n ? have : n));
    cached_free(p);
    return moved;
}

static int cached_roundup(int n) {
    int k = class_of(n);
    return k < 0 ? (n + 7) & ~7 : (int)class_size[k];
}

static int cached_init(void *unused) {
    (void)unused;
    return SQLITE_OK;
}

static void cached_shutdown(void *unused) { (void)unused; }

static const sqlite3_mem_methods methods = {
    cached_malloc, cached_free, cached_realloc, cached_size, cached_roundup, cached_init, cached_shutdown, NULL,
};

int safelist_sqlite_thread_cached_malloc(void) { return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods); }
