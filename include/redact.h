/* redact: what volley never shows in traces. The headers whose values are
 * secrets (headers_secret(): Authorization, Proxy-Authorization, Cookie,
 * Set-Cookie), the run's own secret strings (-u and --proxy-user, --oauth2-bearer, --cert's
 * password, the values of --header-for headers and of -H headers of a
 * secret name), and one line of libcurl's trace or of a header block with
 * all of them written as "***". Built once per run from the prepared
 * config; read-only after that, so loops may share it. */
#ifndef VOLLEY_REDACT_H
#define VOLLEY_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "cli.h"

/* Secret strings shorter than this are only redacted where they are known
 * to stand (a header's value, libcurl's notes); elsewhere they would mask
 * ordinary text. */
#define REDACT_MIN 4

struct redact;

/* The redactions of the run CFG (after prepare_config). Free with
 * redact_free(). */
struct redact *redact_new(const struct config *cfg);
void redact_free(struct redact *r);

/* Append LINE (LEN bytes, without its line end) to DST, redacted: the value
 * of a header line "Name: value" whose name is secret (headers_secret(),
 * or the name of a --header-for header) becomes "***"; so do the cookie
 * value and the user name in libcurl's notes ('Added cookie n="v" for
 * domain ...', '... auth using Basic with user 'u''), and every secret
 * string of the run (of REDACT_MIN bytes or more) wherever it appears. R
 * may be NULL: only the names and the notes are redacted then. */
void redact_line(const struct redact *r, const char *line, size_t len, struct buf *dst);

#endif
