/* share: the one libcurl share handle of a run, used by every loop's easy
 * handles: the DNS cache and TLS sessions (and, once volley has -b/-c, the
 * cookies), each kind of data behind its own lock. Never the connection
 * cache: libcurl does not support sharing it between threads, so each loop
 * keeps its own in its multi handle.
 *
 * A new kind of run-wide shared libcurl data is one more CURL_LOCK_DATA_*
 * in share_new() (the locks cover every kind already). */
#ifndef VOLLEY_SHARE_H
#define VOLLEY_SHARE_H

#include <curl/curl.h>
#include <stdbool.h>

struct share;

struct share_options {
    bool cookies; /* share the cookie engine too (for -b/-c: one jar per run) */
};

/* Caller frees with share_free() after every easy handle using it is
 * cleaned up. */
struct share *share_new(const struct share_options *o);
void share_free(struct share *sh);

/* The handle to set as CURLOPT_SHARE (borrowed). */
CURLSH *share_handle(struct share *sh);

/* How many times a lock was taken (for the unit tests). */
unsigned long share_locks_taken(struct share *sh);

#endif
