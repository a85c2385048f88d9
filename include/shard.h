/* shard: whether an input line belongs to shard K of N (--shard K/N,
 * --shard-by host|domain|origin|url). The key of a line is hashed with the
 * standard FNV-1a-64; shard = hash mod N, + 1. Costs a hash per line and no
 * memory per line. */
#ifndef VOLLEY_SHARD_H
#define VOLLEY_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum shard_by { SHARD_BY_HOST, SHARD_BY_DOMAIN, SHARD_BY_ORIGIN, SHARD_BY_URL };

/* Parse "K/N" (decimal, 1 <= K <= N). False with a message in ERR. */
bool shard_parse(const char *spec, unsigned long *k, unsigned long *n, struct buf *err);

/* The key of LINE (LEN bytes, trimmed; a URL or a JSON request spec, whose
 * "url" is then used) into KEY (replacing its content):
 *   host    the host as written: no port, no userinfo, no brackets around
 *           an IPv6 literal, ASCII lower-cased, no IDNA conversion
 *   domain  the registrable domain of that host from libpsl's built-in
 *           list; the host itself for IP addresses and when there is none
 *   origin  scheme://host[:port], scheme lower-cased (PROTO_DEFAULT when
 *           the URL has none), brackets kept, the port only when it is not
 *           the scheme's default
 *   url     the URL as written
 * A line with no host (a bad line) is keyed by its trimmed text. */
void shard_key(enum shard_by by, const char *proto_default, const char *line, size_t len,
               struct buf *key);

/* The 1-based shard of N that LINE belongs to; SCRATCH holds the key. */
unsigned long shard_of(enum shard_by by, const char *proto_default, const char *line, size_t len,
                       unsigned long n, struct buf *scratch);

#endif
