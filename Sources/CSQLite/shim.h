#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro; Swift cannot import it. */
static const sqlite3_destructor_type CSQLite_TRANSIENT = SQLITE_TRANSIENT;

#endif
