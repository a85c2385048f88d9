/* field: the one table of a record's fields. Each row is a name (curl's
 * --write-out name where curl has one), a type, the member of struct
 * record that holds it, whether it is a key of every JSON record, a key
 * written only when set, or a -w name only, and where its value comes
 * from: the CURLINFO that libcurl reports it with as it is, or none when
 * task computes it. output writes JSON records and -w templates from the
 * table, task_finish fills the libcurl fields in one loop over it, and
 * summarize reads records back with it. Constant data; no state. */
#ifndef VOLLEY_FIELD_H
#define VOLLEY_FIELD_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "record.h"

enum field_type {
    FIELD_U64,       /* uint64_t */
    FIELD_LONG,      /* long */
    FIELD_I64,       /* int64_t */
    FIELD_SECS,      /* int64_t microseconds, written as seconds */
    FIELD_BOOL,      /* bool */
    FIELD_STR,       /* const char *; NULL: null (-w: nothing) */
    FIELD_TIMESTAMP, /* int64_t wall-clock ms; 0: null; RFC 3339 */
    FIELD_ERROR,     /* the error object (kind, error_code, error_message); -w: the kind */
    FIELD_KIND,      /* -w: the error kind's name */
    FIELD_CODE,      /* -w: libcurl's error code, 0 when none */
    FIELD_MSG,       /* -w: the error message */
    FIELD_ID,        /* const char *, a JSON scalar; -w: its text */
    FIELD_OBJECT,    /* const char *, a JSON object; written as it is, -w too */
    FIELD_CHECKS,    /* the checks array (checks, nchecks); -w: as the text line's note */
    FIELD_BODY,      /* body, body_len and the key body_truncated; present with has_body */
    FIELD_SOURCES, /* --links: sources (nsources): ["FILE:LINE:COLUMN", ...]; -w: space-separated */
    FIELD_HEADERS, /* -w: the response's headers as a JSON object */
    FIELD_RECORD,  /* -w: the whole record as JSON */
};

enum field_key {
    FIELD_FIXED,     /* a key of every JSON record, in table order */
    FIELD_OPTIONAL,  /* a key written only when set, after the fixed ones */
    FIELD_WRITE_OUT, /* a -w name only */
};

struct field {
    const char *name;
    enum field_type type;
    size_t off; /* of the member in struct record */
    enum field_key key;
    CURLINFO info; /* libcurl reports it as it is; CURLINFO_NONE: task computes it */
};

/* The table: the fixed keys in the order records write them, then the
 * optional keys in theirs, then the -w names. *N is set to its length. */
const struct field *field_table(size_t *n);

/* The field named NAME (LEN bytes, case-sensitive), or NULL. */
const struct field *field_find(const char *name, size_t len);

/* The member of R that F names. */
static inline const void *field_in(const struct field *f, const struct record *r)
{
    return (const char *)r + f->off;
}

/* The same, to fill it. */
static inline void *field_at(const struct field *f, struct record *r)
{
    return (char *)r + f->off;
}

#endif
