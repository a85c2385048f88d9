/* share: what every easy handle of the run, in every loop, shares through
 * one curl_share: the DNS cache and TLS sessions always, and the cookie jar
 * with -b FILE or -c FILE (the cookie engine is on, the -b files are loaded
 * into it once, here, and the -c jar is written once at exit from the same
 * store, however many handles and loops used it). Each kind of data has its
 * own pthread mutex, which libcurl takes around every use of it, from any
 * thread. Never the connection cache: libcurl does not support sharing it
 * between threads, so each loop keeps its own in its multi handle.
 *
 * A new kind of shared libcurl data is one more CURLSHOPT_SHARE in
 * share_new() (the locks cover every kind already). This is the one place
 * the share is made. */
#ifndef VOLLEY_SHARE_H
#define VOLLEY_SHARE_H

#include <curl/curl.h>
#include <stdbool.h>

#include "buf.h"
#include "cli.h"

struct share;

/* The share of the run CFG (after prepare_config; CFG must outlive it),
 * with the -b files loaded. After curl_global_init(). Free with
 * share_free() after every easy handle that used it is cleaned up. */
struct share *share_new(const struct config *cfg);
void share_free(struct share *s);

/* The curl_share to set as CURLOPT_SHARE on every easy handle (never NULL
 * for a share from share_new()). */
CURLSH *share_curl(const struct share *s);
/* True when the cookie engine is on (-b FILE, -c): every handle turns it
 * on for itself (CURLOPT_COOKIEFILE ""). NULL: false. */
bool share_has_cookies(const struct share *s);
/* How many times one of its locks was taken (for the unit tests). */
unsigned long share_locks_taken(struct share *s);

/* Write the -c jar (when given): every cookie in the store, in the
 * Netscape cookie-file format, to a new file renamed over the jar (mode
 * 0600: cookies are secrets). Call once, after the last transfer. False
 * with a message in ERR when it cannot be written. */
bool share_write_jar(struct share *s, struct buf *err);

#endif
