/* deny: --deny-private, the address policy: which addresses a connection may
 * not be made to (loopback, private, link-local, unique-local, shared,
 * multicast, reserved, cloud metadata; IPv4 embedded in IPv6 judged as the
 * IPv4 address it carries), and the exceptions --allow-address makes. Built
 * once per run, then immutable: any thread may ask. */
#ifndef VOLLEY_DENY_H
#define VOLLEY_DENY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

struct deny;

/* The policy with the ALLOW exceptions (N of them, each "ADDR" or
 * "ADDR/BITS", IPv4 or IPv6, brackets allowed around IPv6); NULL with a
 * message naming --allow-address in ERR when one does not parse. Caller
 * frees with deny_free(). */
struct deny *deny_new(char *const *allow, size_t n, struct buf *err);
void deny_free(struct deny *d);

/* What SA (LEN bytes, AF_INET or AF_INET6) is, when D refuses it: a static
 * name ("loopback", "private", "link-local", "unique-local", "shared",
 * "multicast", "reserved", "cloud metadata"); NULL when a connection to it
 * may be made (a public address, or one an exception allows). An IPv4
 * address in IPv6 (::ffff:0:0/96, 64:ff9b::/96, 2002::/16, ::/96) is judged
 * as the IPv4 address, and *EMBEDDED (may be NULL) is set then. */
const char *deny_check(const struct deny *d, const struct sockaddr *sa, socklen_t len,
                       bool *embedded);

/* SA as text ("10.0.0.1", "fd00::1") into DST (appended). */
void deny_addr_text(const struct sockaddr *sa, socklen_t len, struct buf *dst);

#endif
