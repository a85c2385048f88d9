/* share: what every easy handle of the run shares through one curl_share.
 * Today that is the cookie jar: with -b FILE or -c FILE the cookie engine
 * is on, the -b files are loaded into it once, here, and the -c jar is
 * written once at exit from the same store, however many handles (and,
 * later, loops) used it. This is the one place the share is made: the
 * threaded engine adds DNS and TLS sessions and the lock functions to
 * share_new() (libcurl calls them around every use of shared data, from
 * any thread). */
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

/* The curl_share to set as CURLOPT_SHARE on every easy handle; NULL when
 * nothing is shared. */
CURLSH *share_curl(const struct share *s);

/* Write the -c jar (when given): every cookie in the store, in the
 * Netscape cookie-file format, to a new file renamed over the jar (mode
 * 0600: cookies are secrets). Call once, after the last transfer. False
 * with a message in ERR when it cannot be written. */
bool share_write_jar(struct share *s, struct buf *err);

#endif
