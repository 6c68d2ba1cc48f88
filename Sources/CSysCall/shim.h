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
#elif defined(__APPLE__)
#include <stdio.h>
static const unsigned int CSysCall_RENAME_NOREPLACE = RENAME_EXCL;
static inline int CSysCall_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                                     unsigned int flags) {
    return renameatx_np(olddirfd, oldpath, newdirfd, newpath, flags);
}
#endif

#endif
