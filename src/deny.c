/* deny: the --deny-private address policy: the refused ranges as one table
 * per family (most specific first), IPv4 carried in IPv6 unwrapped, and the
 * --allow-address exceptions. */
#include "deny.h"
#include "log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An address or a prefix: 4 bytes (IPv4) or 16 (IPv6). */
struct deny_net {
    int family; /* AF_INET or AF_INET6 */
    unsigned char a[16];
    unsigned bits;
};

struct deny {
    struct deny_net *allow;
    size_t nallow;
};

/* A refused range, as text (parsed on use: the tables stay readable). */
struct deny_range {
    const char *prefix;
    const char *name;
};

static const struct deny_range deny_v4[] = {
    {"169.254.169.254/32", "cloud metadata"}, /* AWS, GCP, Azure, ... */
    {"100.100.100.200/32", "cloud metadata"}, /* Alibaba */
    {"0.0.0.0/8", "reserved"},                /* "this network" */
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "shared"}, /* carrier-grade NAT */
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},
    {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "reserved"},   /* IETF protocol assignments */
    {"192.0.2.0/24", "reserved"},   /* documentation */
    {"192.88.99.0/24", "reserved"}, /* 6to4 relays, deprecated */
    {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "reserved"},   /* benchmarking */
    {"198.51.100.0/24", "reserved"}, /* documentation */
    {"203.0.113.0/24", "reserved"},  /* documentation */
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"}, /* the broadcast address included */
};

static const struct deny_range deny_v6[] = {
    {"fd00:ec2::254/128", "cloud metadata"}, /* AWS */
    {"::1/128", "loopback"},
    {"fc00::/7", "unique-local"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "reserved"}, /* site-local, deprecated */
    {"ff00::/8", "multicast"},
    {"2001::/32", "reserved"},     /* Teredo */
    {"2001:2::/48", "reserved"},   /* benchmarking */
    {"2001:10::/28", "reserved"},  /* ORCHID */
    {"2001:db8::/32", "reserved"}, /* documentation */
    {"3fff::/20", "reserved"},     /* documentation */
};

/* Where IPv6 carries an IPv4 address: the prefix and the byte it starts at. */
static const struct {
    const char *prefix;
    size_t at;
} deny_embed[] = {
    {"::ffff:0:0/96", 12}, /* IPv4-mapped */
    {"64:ff9b::/96", 12},  /* NAT64 */
    {"2002::/16", 2},      /* 6to4 */
    {"::/96", 12},         /* IPv4-compatible, deprecated (:: and ::1 too) */
};

/* "ADDR" or "ADDR/BITS" (IPv6 perhaps in brackets) into N. */
static bool deny_parse(const char *s, struct deny_net *n)
{
    char text[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof text)
        return false;
    memcpy(text, s, len);
    text[len] = '\0';
    memset(n, 0, sizeof *n);
    if (inet_pton(AF_INET, text, n->a) == 1)
        n->family = AF_INET;
    else if (inet_pton(AF_INET6, text, n->a) == 1)
        n->family = AF_INET6;
    else
        return false;
    unsigned max = n->family == AF_INET ? 32 : 128;
    n->bits = max;
    if (slash) {
        const char *b = slash + 1;
        unsigned v = 0;
        if (!*b || strlen(b) > 3)
            return false;
        for (; *b; b++) {
            if (*b < '0' || *b > '9')
                return false;
            v = v * 10 + (unsigned)(*b - '0');
        }
        if (v > max)
            return false;
        n->bits = v;
    }
    return true;
}

/* Do the first BITS bits of A and B agree? */
static bool deny_bits_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
    size_t whole = bits / 8;
    if (memcmp(a, b, whole) != 0)
        return false;
    unsigned rest = bits % 8;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

/* Is the address A (of FAMILY) in the prefix written PREFIX? */
static bool deny_in(int family, const unsigned char *a, const char *prefix)
{
    struct deny_net n;
    if (!deny_parse(prefix, &n))
        log_die(LOG_EXIT_INTERNAL, "deny: bad prefix %s in the table", prefix);
    return n.family == family && deny_bits_equal(a, n.a, n.bits);
}

static bool deny_allowed(const struct deny *d, int family, const unsigned char *a)
{
    for (size_t i = 0; i < d->nallow; i++)
        if (d->allow[i].family == family && deny_bits_equal(a, d->allow[i].a, d->allow[i].bits))
            return true;
    return false;
}

static const char *deny_v4_name(const unsigned char *a)
{
    for (size_t i = 0; i < sizeof deny_v4 / sizeof deny_v4[0]; i++)
        if (deny_in(AF_INET, a, deny_v4[i].prefix))
            return deny_v4[i].name;
    return NULL;
}

struct deny *deny_new(char *const *allow, size_t n, struct buf *err)
{
    struct deny *d = log_calloc(1, sizeof *d);
    d->allow = n ? log_calloc(n, sizeof *d->allow) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (!deny_parse(allow[i], &d->allow[i])) {
            buf_addf(err,
                     "--allow-address '%s' is not an address or ADDR/BITS (IPv4 or IPv6, "
                     "e.g. 10.1.2.0/24 or fd12::/16)",
                     allow[i]);
            deny_free(d);
            return NULL;
        }
        d->nallow++;
    }
    return d;
}

void deny_free(struct deny *d)
{
    if (!d)
        return;
    free(d->allow);
    free(d);
}

const char *deny_check(const struct deny *d, const struct sockaddr *sa, socklen_t len,
                       bool *embedded)
{
    if (embedded)
        *embedded = false;
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        const unsigned char *a = (const unsigned char *)&in->sin_addr;
        return deny_allowed(d, AF_INET, a) ? NULL : deny_v4_name(a);
    }
    if (sa->sa_family != AF_INET6 || len < (socklen_t)sizeof(struct sockaddr_in6))
        return "reserved"; /* not an IP address: nothing volley connects to */
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
    const unsigned char *a = in6->sin6_addr.s6_addr;
    if (deny_allowed(d, AF_INET6, a))
        return NULL;
    if (deny_in(AF_INET6, a, "::1/128"))
        return "loopback";
    for (size_t i = 0; i < sizeof deny_embed / sizeof deny_embed[0]; i++)
        if (deny_in(AF_INET6, a, deny_embed[i].prefix)) {
            const unsigned char *v4 = a + deny_embed[i].at;
            if (embedded)
                *embedded = true;
            return deny_allowed(d, AF_INET, v4) ? NULL : deny_v4_name(v4);
        }
    for (size_t i = 0; i < sizeof deny_v6 / sizeof deny_v6[0]; i++)
        if (deny_in(AF_INET6, a, deny_v6[i].prefix))
            return deny_v6[i].name;
    if (!deny_in(AF_INET6, a, "2000::/3"))
        return "reserved"; /* outside global unicast */
    return NULL;
}

void deny_addr_text(const struct sockaddr *sa, socklen_t len, struct buf *dst)
{
    char text[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text,
                  sizeof text);
    else if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6))
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text,
                  sizeof text);
    buf_adds(dst, text);
}
