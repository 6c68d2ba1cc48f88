#ifndef CSYSCALL_SHIM_H
#define CSYSCALL_SHIM_H

/* renameat2 is declared by glibc only under _GNU_SOURCE, which Swift's Glibc module is not built with; the
   system call itself has existed since Linux 3.15. On Darwin, renameatx_np with RENAME_EXCL is the same thing. */
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
static const unsigned int CSysCall_RENAME_NOREPLACE = 1u;
static inline int CSysCall_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                                     unsigned int flags) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}
/* sync_file_range(SYNC_FILE_RANGE_WRITE), likewise GNU-only in glibc: starts write-back of a range without
   waiting for it, so that a later fsync finds little left to write. */
static inline int CSysCall_startWriteBack(int fd, long long offset, long long nbytes) {
    return (int)syscall(SYS_sync_file_range, fd, offset, nbytes, 2u /* SYNC_FILE_RANGE_WRITE */);
}
#elif defined(__APPLE__)
#include <stdio.h>
static const unsigned int CSysCall_RENAME_NOREPLACE = RENAME_EXCL;
static inline int CSysCall_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                                     unsigned int flags) {
    return renameatx_np(olddirfd, oldpath, newdirfd, newpath, flags);
}
/* No equivalent on Darwin: fsync does all the writing. */
static inline int CSysCall_startWriteBack(int fd, long long offset, long long nbytes) { return 0; }
#endif

#endif
