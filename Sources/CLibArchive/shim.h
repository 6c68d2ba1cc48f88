#ifndef CLIBARCHIVE_SHIM_H
#define CLIBARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>

/* The AE_IF* file-type macros carry a cast, which Swift cannot import. */
static const unsigned int CLibArchive_AE_IFMT = AE_IFMT;
static const unsigned int CLibArchive_AE_IFREG = AE_IFREG;
static const unsigned int CLibArchive_AE_IFLNK = AE_IFLNK;
static const unsigned int CLibArchive_AE_IFDIR = AE_IFDIR;

#endif
