// safelist-regex-worker: compiles Vectorscan expressions for the Safelist server, in a process
// of its own so that a pattern whose compilation would take minutes or gigabytes costs the
// server nothing: the server kills this process when a job passes its deadline, and the
// address-space limit set here makes an oversized compilation fail instead of swapping.
//
// Usage: safelist-regex-worker [--memory-mb N]
// Frames on stdin and stdout, integers in host byte order (both ends run on one machine):
//   request:  u32 operation, u32 count, then per expression: u32 flags, u32 length, bytes
//     operation 1 (check): compile each expression alone
//     operation 2 (build): compile all together (ids are positions), return the serialized database
//   reply to 1: per expression: u32 status (0 compiled, 1 refused), then if refused: u32 length, message
//   reply to 2: u32 status; if 0: u32 length, serialized database; if 1: u32 expression index
//               (0xFFFFFFFF when none), u32 length, message
#include <hs/hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int read_all(void *buffer, size_t length) {
    char *bytes = buffer;
    while (length > 0) {
        ssize_t got = read(STDIN_FILENO, bytes, length);
        if (got <= 0) return -1;
        bytes += got;
        length -= (size_t)got;
    }
    return 0;
}

static int write_all(const void *buffer, size_t length) {
    const char *bytes = buffer;
    while (length > 0) {
        ssize_t put = write(STDOUT_FILENO, bytes, length);
        if (put <= 0) return -1;
        bytes += put;
        length -= (size_t)put;
    }
    return 0;
}

static int write_u32(uint32_t value) { return write_all(&value, sizeof value); }

static int write_message(const char *message) {
    uint32_t length = (uint32_t)strlen(message);
    return write_u32(length) || write_all(message, length);
}

// Everything but the three standard descriptors was the server's when it spawned this worker:
// its clients' connections, its listening socket, its database's, other workers' channels.
// SwiftNIO does not mark its sockets close-on-exec, so a worker kept a copy of each: a
// connection the server closed stayed open (no FIN) for as long as the worker lived.
static void close_inherited_descriptors(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0) return;
#endif
    struct rlimit limit;
    long last = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? (long)limit.rlim_cur : 65536;
    if (last > (1L << 20)) last = 1L << 20;
    for (long descriptor = 3; descriptor < last; descriptor++) close((int)descriptor);
}

int main(int argc, char **argv) {
    close_inherited_descriptors();
    for (int index = 1; index + 1 < argc; index += 2) {
        if (strcmp(argv[index], "--memory-mb") == 0) {
            rlim_t bytes = (rlim_t)strtoull(argv[index + 1], NULL, 10) * 1024 * 1024;
            struct rlimit limit = {bytes, bytes};
            if (setrlimit(RLIMIT_AS, &limit) != 0) { perror("setrlimit"); return 2; }
        }
    }
    for (;;) {
        uint32_t operation, count;
        if (read_all(&operation, sizeof operation) || read_all(&count, sizeof count)) return 0;
        if (count == 0 || count > 100000) return 3;
        char **expressions = calloc(count, sizeof(char *));
        unsigned *flags = calloc(count, sizeof(unsigned));
        unsigned *ids = calloc(count, sizeof(unsigned));
        if (!expressions || !flags || !ids) return 4;
        for (uint32_t index = 0; index < count; index++) {
            uint32_t length;
            if (read_all(&flags[index], sizeof(uint32_t)) || read_all(&length, sizeof length) || length > (1u << 20)) return 3;
            expressions[index] = malloc(length + 1);
            if (!expressions[index] || read_all(expressions[index], length)) return 3;
            expressions[index][length] = 0;
            ids[index] = index;
        }
        int failed = 0;
        if (operation == 1) {
            for (uint32_t index = 0; index < count && !failed; index++) {
                hs_database_t *database = NULL;
                hs_compile_error_t *error = NULL;
                if (hs_compile(expressions[index], flags[index], HS_MODE_BLOCK, NULL, &database, &error) == HS_SUCCESS) {
                    hs_free_database(database);
                    failed = write_u32(0);
                } else {
                    failed = write_u32(1) || write_message(error && error->message ? error->message : "compilation failed");
                    hs_free_compile_error(error);
                }
            }
        } else if (operation == 2) {
            hs_database_t *database = NULL;
            hs_compile_error_t *error = NULL;
            if (hs_compile_multi((const char *const *)expressions, flags, ids, count, HS_MODE_BLOCK, NULL, &database, &error) == HS_SUCCESS) {
                char *serialized = NULL;
                size_t length = 0;
                if (hs_serialize_database(database, &serialized, &length) == HS_SUCCESS) {
                    failed = write_u32(0) || write_u32((uint32_t)length) || write_all(serialized, length);
                    free(serialized);
                } else {
                    failed = write_u32(1) || write_u32(0xFFFFFFFFu) || write_message("the compiled database could not be serialized");
                }
                hs_free_database(database);
            } else {
                uint32_t at = error && error->expression >= 0 ? (uint32_t)error->expression : 0xFFFFFFFFu;
                failed = write_u32(1) || write_u32(at) || write_message(error && error->message ? error->message : "compilation failed");
                hs_free_compile_error(error);
            }
        } else {
            return 3;
        }
        for (uint32_t index = 0; index < count; index++) free(expressions[index]);
        free(expressions);
        free(flags);
        free(ids);
        if (failed) return 5;
    }
}
