/* fuzz_shard: libFuzzer target for the shard key (shard.h). Input: one
 * byte for N, one for the default scheme, then the line. For every
 * --shard-by: the key is the same twice (no state), shard_of is FNV-1a-64
 * of it mod N, + 1; and the keys agree with each other: the host is lower
 * case without userinfo or port, the domain is a suffix of it, the origin
 * holds it, the url key is the line (or the spec's "url") as written. */
#include "fuzz.h"
#include "shard.h"

static void key(enum shard_by by, const char *proto, const char *line, size_t len, struct buf *k)
{
    shard_key(by, proto, line, len, k);
    struct buf again = {0};
    shard_key(by, proto, line, len, &again);
    FUZZ_CHECK(again.len == k->len && fuzz_eq(again.p, k->p, k->len));
    buf_free(&again);
}

/* FNV-1a-64 as the contract writes it down (not hash.h's: that is under test) */
static uint64_t fnv1a64(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static bool suffix(const struct buf *s, const struct buf *of)
{
    return s->len <= of->len && fuzz_eq(of->p + of->len - s->len, s->p, s->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    unsigned long n = fuzz_u8(&in) + 1u;
    const char *proto = fuzz_u8(&in) & 1 ? "https" : "http";
    char *line = fuzz_dup(in.p, in.n); /* exact size + NUL; the line may hold NULs */
    size_t len = in.n;
    struct buf host = {0}, domain = {0}, origin = {0}, url = {0}, scratch = {0};
    key(SHARD_BY_HOST, proto, line, len, &host);
    key(SHARD_BY_DOMAIN, proto, line, len, &domain);
    key(SHARD_BY_ORIGIN, proto, line, len, &origin);
    key(SHARD_BY_URL, proto, line, len, &url);
    const enum shard_by bys[] = {SHARD_BY_HOST, SHARD_BY_DOMAIN, SHARD_BY_ORIGIN, SHARD_BY_URL};
    const struct buf *keys[] = {&host, &domain, &origin, &url};
    for (size_t i = 0; i < 4; i++) {
        unsigned long s = shard_of(bys[i], proto, line, len, n, &scratch);
        FUZZ_CHECK(s >= 1 && s <= n);
        FUZZ_CHECK(s == fnv1a64(keys[i]->p, keys[i]->len) % n + 1);
    }
    /* a line whose host key differs from the url key was split into parts */
    bool parsed = !(host.len == url.len && fuzz_eq(host.p, url.p, url.len)) ||
                  !(origin.len == url.len && fuzz_eq(origin.p, url.p, url.len));
    if (parsed && len && line[0] != '{') {
        for (size_t i = 0; i < host.len; i++)
            FUZZ_CHECK(!(host.p[i] >= 'A' && host.p[i] <= 'Z') && host.p[i] != '@' &&
                       host.p[i] != '/' && host.p[i] != '?' && host.p[i] != '#');
        FUZZ_CHECK(host.len > 0);
        FUZZ_CHECK(url.len == len && fuzz_eq(url.p, line, len));
        FUZZ_CHECK(origin.len > host.len && strstr(origin.p, "://"));
        FUZZ_CHECK(fuzz_count(origin.p, origin.len, host.p, host.len) > 0);
        /* libpsl reads the host as a C string: compare up to a NUL */
        if (!memchr(host.p, '\0', host.len)) {
            FUZZ_CHECK(domain.len > 0 && suffix(&domain, &host));
        }
    }
    buf_free(&host);
    buf_free(&domain);
    buf_free(&origin);
    buf_free(&url);
    buf_free(&scratch);
    free(line);
    return 0;
}
