#include "CSQLiteSettings.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/*
 * A VFS over the system's default one that gathers a transaction's WAL writes into one write.
 * SQLite writes each frame of a commit as two writes (a 24-byte header, then the page): a
 * group of creates is about 90 `pwrite` calls, then the `fdatasync` that makes it durable.
 * Here they are appended to a buffer and written at once when SQLite syncs the WAL, which a
 * commit does before it publishes the frames in the WAL-index (synchronous = FULL). Every
 * other call that could observe the file (a read, its size, a truncation, a sync, a close, a
 * write elsewhere) writes the buffer out first, so the file is never seen without its frames.
 *
 * Only a connection that asked (`safelist_sqlite_buffer_wal`) buffers, and only while it holds
 * the WAL write lock: a commit under synchronous = NORMAL publishes its frames without a sync,
 * and a write error found later could not fail it. When the connection releases the write
 * lock, or passes a WAL-index barrier while holding it, whatever is left is written too.
 */

#define WAL_BUFFER_CAPACITY (1 << 20)
/* SQLite's WAL write lock: the first of the WAL-index's lock slots (wal.c, WAL_WRITE_LOCK). */
#define WAL_WRITE_LOCK 0

typedef struct BufferedFile BufferedFile;
struct BufferedFile {
    sqlite3_file base;
    sqlite3_file *real;
    /* The database file's name as SQLite passed it to xOpen; a WAL's is its database's. */
    const char *database;
    /* Main database files: the connection's WAL (paired at the WAL's open), whether the
       connection asked for buffering, whether it holds the WAL write lock. */
    BufferedFile *wal;
    int bufferWal;
    int holdsWriteLock;
    /* WAL files: the database file of the same connection, and the pending bytes. */
    BufferedFile *owner;
    unsigned char *buffer;
    sqlite3_int64 start;
    int used;
    /* Open main database files, for pairing. */
    BufferedFile *next;
};

static sqlite3_vfs *realVfs;
static sqlite3_vfs bufferedVfs;
static pthread_mutex_t openFilesMutex = PTHREAD_MUTEX_INITIALIZER;
static BufferedFile *openDatabases;

/* The unix VFS writes at most this much a call: it masks a length to 17 bits (os_unix.c,
   seekAndWriteFd), made for a page at a time, and a longer write came back short. */
#define LARGEST_REAL_WRITE 0x1ffff

static int writeThrough(BufferedFile *file, const unsigned char *data, int amount, sqlite3_int64 offset) {
    while (amount > 0) {
        int piece = amount < LARGEST_REAL_WRITE ? amount : LARGEST_REAL_WRITE;
        int rc = file->real->pMethods->xWrite(file->real, data, piece, offset);
        if (rc != SQLITE_OK) return rc;
        data += piece;
        offset += piece;
        amount -= piece;
    }
    return SQLITE_OK;
}

static int flush(BufferedFile *file) {
    int used = file->used;
    if (used == 0) return SQLITE_OK;
    file->used = 0;
    return writeThrough(file, file->buffer, used, file->start);
}

static int buffering(BufferedFile *file) {
    return file->owner != NULL && file->owner->bufferWal && file->owner->holdsWriteLock;
}

static int bufferedClose(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    int flushed = flush(file);
    pthread_mutex_lock(&openFilesMutex);
    if (file->owner != NULL && file->owner->wal == file) file->owner->wal = NULL;
    if (file->wal != NULL) file->wal->owner = NULL;
    for (BufferedFile **link = &openDatabases; *link != NULL; link = &(*link)->next) {
        if (*link == file) {
            *link = file->next;
            break;
        }
    }
    pthread_mutex_unlock(&openFilesMutex);
    free(file->buffer);
    file->buffer = NULL;
    int closed = file->real->pMethods->xClose(file->real);
    return flushed != SQLITE_OK ? flushed : closed;
}

static int bufferedRead(sqlite3_file *handle, void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xRead(file->real, data, amount, offset);
}

static int bufferedWrite(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    if (!buffering(file)) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    if (file->used > 0 && (offset != file->start + file->used || file->used + amount > WAL_BUFFER_CAPACITY)) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (amount > WAL_BUFFER_CAPACITY) return writeThrough(file, data, amount, offset);
    if (file->buffer == NULL) {
        file->buffer = malloc(WAL_BUFFER_CAPACITY);
        if (file->buffer == NULL) return writeThrough(file, data, amount, offset);
    }
    if (file->used == 0) file->start = offset;
    memcpy(file->buffer + file->used, data, (size_t)amount);
    file->used += amount;
    return SQLITE_OK;
}

static int bufferedTruncate(sqlite3_file *handle, sqlite3_int64 size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xTruncate(file->real, size);
}

static int bufferedSync(sqlite3_file *handle, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xSync(file->real, flags);
}

static int bufferedFileSize(sqlite3_file *handle, sqlite3_int64 *size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileSize(file->real, size);
}

static int bufferedLock(sqlite3_file *handle, int level) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xLock(file->real, level);
}

static int bufferedUnlock(sqlite3_file *handle, int level) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xUnlock(file->real, level);
}

static int bufferedCheckReservedLock(sqlite3_file *handle, int *reserved) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xCheckReservedLock(file->real, reserved);
}

static int bufferedFileControl(sqlite3_file *handle, int op, void *argument) {
    BufferedFile *file = (BufferedFile *)handle;
    if (op == SAFELIST_FCNTL_BUFFER_WAL) {
        int *value = (int *)argument;
        if (*value < 0) {
            *value = file->bufferWal;
        } else {
            file->bufferWal = *value != 0;
        }
        return SQLITE_OK;
    }
    if (file->owner != NULL) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
    }
    return file->real->pMethods->xFileControl(file->real, op, argument);
}

static int bufferedSectorSize(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xSectorSize(file->real);
}

static int bufferedDeviceCharacteristics(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

static int bufferedShmMap(sqlite3_file *handle, int region, int size, int extend, void volatile **mapped) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xShmMap(file->real, region, size, extend, mapped);
}

/* The write lock's release ends a write transaction: nothing of it may stay behind. */
static int bufferedShmLock(sqlite3_file *handle, int offset, int count, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    int covers = offset <= WAL_WRITE_LOCK && WAL_WRITE_LOCK < offset + count;
    if (covers && (flags & SQLITE_SHM_UNLOCK) && file->wal != NULL) {
        int rc = flush(file->wal);
        file->holdsWriteLock = 0;
        int unlocked = file->real->pMethods->xShmLock(file->real, offset, count, flags);
        return rc != SQLITE_OK ? rc : unlocked;
    }
    int rc = file->real->pMethods->xShmLock(file->real, offset, count, flags);
    if (covers && rc == SQLITE_OK) file->holdsWriteLock = (flags & SQLITE_SHM_EXCLUSIVE) && (flags & SQLITE_SHM_LOCK);
    return rc;
}

/* SQLite passes a barrier between writing the WAL-index header's two copies: the frames it
   publishes must be in the file by then. Under synchronous = FULL the sync before it wrote
   them already. */
static void bufferedShmBarrier(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    if (file->holdsWriteLock && file->wal != NULL) (void)flush(file->wal);
    file->real->pMethods->xShmBarrier(file->real);
}

static int bufferedShmUnmap(sqlite3_file *handle, int deleteFlag) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xShmUnmap(file->real, deleteFlag);
}

static int bufferedFetch(sqlite3_file *handle, sqlite3_int64 offset, int amount, void **pointer) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xFetch(file->real, offset, amount, pointer);
}

static int bufferedUnfetch(sqlite3_file *handle, sqlite3_int64 offset, void *pointer) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xUnfetch(file->real, offset, pointer);
}

static const sqlite3_io_methods bufferedMethods = {
    3,
    bufferedClose,
    bufferedRead,
    bufferedWrite,
    bufferedTruncate,
    bufferedSync,
    bufferedFileSize,
    bufferedLock,
    bufferedUnlock,
    bufferedCheckReservedLock,
    bufferedFileControl,
    bufferedSectorSize,
    bufferedDeviceCharacteristics,
    bufferedShmMap,
    bufferedShmLock,
    bufferedShmBarrier,
    bufferedShmUnmap,
    bufferedFetch,
    bufferedUnfetch,
};

static int bufferedOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *handle, int flags, int *outFlags) {
    (void)vfs;
    BufferedFile *file = (BufferedFile *)handle;
    memset(file, 0, sizeof(BufferedFile));
    file->real = (sqlite3_file *)(file + 1);
    int rc = realVfs->xOpen(realVfs, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK || file->real->pMethods == NULL) {
        file->base.pMethods = NULL;
        return rc;
    }
    // Methods of the version the real file offers: SQLite asks for shared memory only of those.
    if (file->real->pMethods->iVersion < 3) {
        file->real->pMethods->xClose(file->real);
        file->base.pMethods = NULL;
        return SQLITE_CANTOPEN;
    }
    file->base.pMethods = &bufferedMethods;
    if (name == NULL) return SQLITE_OK;
    if (flags & SQLITE_OPEN_MAIN_DB) {
        file->database = name;
        pthread_mutex_lock(&openFilesMutex);
        file->next = openDatabases;
        openDatabases = file;
        pthread_mutex_unlock(&openFilesMutex);
    } else if (flags & SQLITE_OPEN_WAL) {
        // The connection's pager hands its database file and its WAL names from one block:
        // the WAL's database name is the very pointer its database file was opened with.
        file->database = sqlite3_filename_database(name);
        pthread_mutex_lock(&openFilesMutex);
        for (BufferedFile *candidate = openDatabases; candidate != NULL; candidate = candidate->next) {
            if (candidate->database == file->database && candidate->wal == NULL) {
                candidate->wal = file;
                file->owner = candidate;
                break;
            }
        }
        pthread_mutex_unlock(&openFilesMutex);
    }
    return SQLITE_OK;
}

static void registerBufferedVfs(void) {
    realVfs = sqlite3_vfs_find(NULL);
    if (realVfs == NULL || realVfs->iVersion < 2) return;
    bufferedVfs = *realVfs;
    bufferedVfs.pNext = NULL;
    bufferedVfs.zName = SAFELIST_BUFFERED_WAL_VFS;
    bufferedVfs.szOsFile = (int)sizeof(BufferedFile) + realVfs->szOsFile;
    bufferedVfs.xOpen = bufferedOpen;
    sqlite3_vfs_register(&bufferedVfs, 1);
}

int safelist_sqlite_register_buffered_wal(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, registerBufferedVfs);
    return sqlite3_vfs_find(SAFELIST_BUFFERED_WAL_VFS) != NULL ? SQLITE_OK : SQLITE_ERROR;
}

int safelist_sqlite_buffer_wal(sqlite3 *db, int on) {
    return sqlite3_file_control(db, "main", SAFELIST_FCNTL_BUFFER_WAL, &on);
}

int safelist_sqlite_buffers_wal(sqlite3 *db) {
    int value = -1;
    return sqlite3_file_control(db, "main", SAFELIST_FCNTL_BUFFER_WAL, &value) == SQLITE_OK ? value : 0;
}
