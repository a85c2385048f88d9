/* resume: the set of requests that already have a final record in earlier
 * runs' JSON Lines output (--resume FILE, --resume-failed, --max-age), so a
 * run can skip them. Each file is read once at start, up to its size then;
 * a torn last line (a run killed mid-write) is ignored with a warning. The
 * set keeps a 128-bit fingerprint (MD5) of each record's request key: 16
 * bytes per distinct key, whatever the records hold. */
#ifndef VOLLEY_RESUME_H
#define VOLLEY_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct resume_options {
    bool failed_only;    /* --resume-failed: only ok:true records are final */
    int64_t max_age_ms;  /* --max-age: older (or null) timestamps are not; < 0: any age */
    int64_t now_wall_ms; /* the run's start, for --max-age */
};

struct resume;

/* Read FILES (N of them; borrowed). Returns NULL and a message in ERR when
 * one cannot be read (a usage error). Warnings (torn last line, lines that
 * are not records) go to stderr. Caller frees with resume_free(). */
struct resume *resume_load(char *const *files, size_t n, const struct resume_options *opt,
                           struct buf *err);
void resume_free(struct resume *r);

/* Distinct request keys with a final record. */
size_t resume_count(const struct resume *r);

/* The request key of a request, into KEY (replacing its content), exactly
 * as the record shows it: the spec id (ID_JSON, the JSON text the record
 * writes) when there is one, else the record's "method" and "url" as JSON
 * strings. */
void resume_key(struct buf *key, const char *id_json, const char *method, const char *url);

/* True when KEY (LEN bytes, from resume_key) has a final record. */
bool resume_done(const struct resume *r, const char *key, size_t len);

/* True when FD is one of the resume files and that file does not end in a
 * newline, so a record appended now would be glued to a torn line. */
bool resume_needs_newline(const struct resume *r, int fd);

#endif
