/* headers: the response headers of one transfer, collected line by line
 * from libcurl's header callback (which only buffers here) and indexed once
 * after the transfer, so that every lookup and the JSON object cost time
 * linear in the headers' size. libcurl's own header API counts every name
 * again on each call, which makes a walk over tens of thousands of header
 * lines quadratic. Also the one list of headers whose values are secrets.
 * Pure: no libcurl; one struct headers per task, not shared. */
#ifndef VOLLEY_HEADERS_H
#define VOLLEY_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct headers_entry {
    size_t name, nlen;  /* offset and length of the name in text */
    size_t value, vlen; /* of the value (NUL-terminated there) */
    size_t group;       /* its name's group, once indexed */
};

struct headers_group; /* one name (any case) and its values, private */

/* The fields are private to headers.c. Memory: what the response's headers
 * take (libcurl refuses more than 300 KiB of them) and an index. */
struct headers {
    struct buf text; /* the names and values */
    struct headers_entry *e;
    size_t n, cap;
    bool block;   /* inside a response's header block */
    bool indexed; /* the index below is up to date */
    /* the index: groups in order of first appearance, a hash of names */
    struct headers_group *g;
    size_t ng, gcap;
    size_t *slots; /* open addressing: group + 1; 0 free */
    size_t nslots;
    size_t *order;     /* entry numbers grouped by name */
    size_t order_cap;  /* of order */
    struct buf joined; /* scratch for a repeated name's values */
};

/* Zero H (equivalent to "= {0}"). */
void headers_init(struct headers *h);
/* Forget the headers (keeping the memory) for the next transfer. */
void headers_reset(struct headers *h);
/* Release everything; H is then as after headers_init(). */
void headers_free(struct headers *h);

/* One line as libcurl's CURLOPT_HEADERFUNCTION hands it over (LEN bytes,
 * its CRLF included): a status line ("HTTP/...") starts a response and
 * drops the headers of any earlier one (a redirect, a 1xx, a proxy's
 * CONNECT reply), a blank line ends the block (trailers after it are not
 * kept), a line starting with a blank continues the previous value (as
 * libcurl unfolds it), "Name: value" is a header (value without the blanks
 * around it). Only buffers; safe inside the callback. */
void headers_feed(struct headers *h, const char *line, size_t len);

/* The INDEX-th (0-based) value of header NAME (any case) of the last
 * response, or NULL when there are no more. Valid until the next feed,
 * reset or free. The first call after feeding builds the index. */
const char *headers_get(struct headers *h, const char *name, size_t index);

/* The headers as one JSON object appended to DST: one key per name, as the
 * name was first written, in order of first appearance; a repeated name's
 * values joined with ", " in order; the values of the secret headers
 * (headers_secret) written as "***". */
void headers_json(struct headers *h, struct buf *dst);

/* True for the headers whose values never appear in records, reports or
 * diagnostics: Authorization, Proxy-Authorization, Cookie, Set-Cookie (any
 * case). NAME is LEN bytes. */
bool headers_secret(const char *name, size_t len);

#endif
