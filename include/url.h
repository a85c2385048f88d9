/* url: turns a trimmed input line into a fetchable URL (default scheme,
 * http/https only, syntax checked with libcurl's URL parser) and writes URLs
 * for output with any password replaced by "***", as libcurl's parse finds
 * it. */
#ifndef VOLLEY_URL_H
#define VOLLEY_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The longest line volley accepts (64 KiB). */
#define URL_MAX_LINE (64 * 1024)

struct url_checker; /* owns one reusable libcurl URL handle */

/* Caller frees with url_checker_free(). */
struct url_checker *url_checker_new(void);
void url_checker_free(struct url_checker *c);
/* --path-as-is: C's URLs keep their "/../" and "/./" segments. */
void url_checker_path_as_is(struct url_checker *c, bool on);
/* The parsed URL of the last successful url_prepare(), for CURLOPT_CURLU
 * (so libcurl does not parse it again). Owned by C. */
void *url_checker_handle(struct url_checker *c);

/* The URL text volley fetches for LINE (LEN bytes, trimmed) into DST
 * (replacing it): PROTO_DEFAULT:// added when it has no scheme; checked up
 * to libcurl's parse (length, NUL, scheme). NULL, or a static message. */
const char *url_compose(const char *line, size_t len, const char *proto_default, struct buf *dst);

/* Normalize LINE (LEN bytes, already trimmed) into DST (replacing its
 * content). Returns NULL when it is fetchable, else a static message saying
 * why not. PROTO_DEFAULT is the scheme added when LINE has no "://". */
const char *url_prepare(struct url_checker *c, const char *line, size_t len,
                        const char *proto_default, struct buf *dst);

/* True when URL (as url_prepare() made it) is fetched over TLS: its scheme
 * is https. */
bool url_is_https(const char *url);
/* Passwords never reach output. A URL libcurl accepted is redacted from
 * libcurl's own parse (its CURLUPART_PASSWORD, the one it sends), so what
 * the transfer sends and what output hides are the same thing; text libcurl
 * refused is scrubbed of anything shaped like a password. */

/* After a successful url_prepare(C, ..., URL): when libcurl found a
 * password in it, append URL to DST with the password as "***" and return
 * true; else append nothing and return false (URL is shown as it is). */
bool url_redact_prepared(struct url_checker *c, const char *url, struct buf *dst);
/* Append URL (libcurl's effective URL, say) to DST with its password as
 * "***", by libcurl's parse of it; what libcurl cannot parse is scrubbed as
 * url_clip() does. */
void url_redact(const char *url, struct buf *dst);
/* Append LINE (LEN bytes, NULs included) for the record of a refused line:
 * scrubbed (from the first ':' that is not a scheme's or a JSON name's to
 * the last '@': "//u:p@h/", "http://u:p/ss@h/", "http://u:p\0@h/" all
 * show "u:***@"; CUT: LINE is the start of a longer line, so with no '@' a
 * password may run past its end and the rest after that ':' goes too), then
 * cut to 256 characters followed by "..." when longer. */
void url_clip(const char *line, size_t len, bool cut, struct buf *dst);
/* Append what of the prepared URL may name a file: host, ":port" when
 * given, and the path; never the userinfo, query or fragment. */
void url_name_part(struct url_checker *c, struct buf *dst);

/* The parts of a URL's authority as written (no parsing beyond finding
 * them): the scheme ("" when the URL has none), the host (without
 * userinfo, port, or an IPv6 literal's brackets) and the port text (""
 * when none). Spans point into URL (LEN bytes). False when there is no
 * host at all (an empty authority). */
struct url_parts {
    const char *scheme;
    size_t scheme_len;
    const char *host;
    size_t host_len;
    bool ipv6; /* the host was written in brackets */
    const char *port;
    size_t port_len;
};
bool url_split(const char *url, size_t len, struct url_parts *out);
/* Append U's host[:port] to DST as the report and --shard-by origin name
 * it: lower-cased, an IPv6 literal in brackets, the port only when it is
 * not SCHEME's (SLEN bytes) default. */
void url_authority(const struct url_parts *u, const char *scheme, size_t slen, struct buf *dst);
/* Append U's origin to DST: scheme://host[:port], the scheme lower-cased
 * (PROTO_DEFAULT when U has none), then url_authority(). */
void url_origin(const struct url_parts *u, const char *proto_default, struct buf *dst);

/* The host[:port] of URL ("scheme://[userinfo@]host[:port]..."), lower-cased
 * and without the scheme's default port (80 for http, 443 for https), into
 * OUT (CAP bytes, NUL-terminated, cut to CAP - 1 bytes); its length, 0 when
 * URL has no scheme. The one host parser for output (the report's per-host
 * latencies). */
size_t url_host(const char *url, char *out, size_t cap);

#endif
