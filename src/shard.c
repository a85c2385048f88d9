/* shard: the shard key of an input line and its FNV-1a-64 hash. */
#include "shard.h"
#include "hash.h"
#include "url.h"

#include <cjson/cJSON.h>
#include <libpsl.h>
#include <string.h>
#include <strings.h>

static bool shard_number(const char *s, const char *e, unsigned long *out)
{
    if (s == e || e - s > 9)
        return false;
    unsigned long v = 0;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned long)(*s - '0');
    }
    *out = v;
    return true;
}

bool shard_parse(const char *spec, unsigned long *k, unsigned long *n, struct buf *err)
{
    const char *slash = strchr(spec, '/');
    if (!slash || !shard_number(spec, slash, k) ||
        !shard_number(slash + 1, spec + strlen(spec), n) || *n == 0) {
        buf_addf(err, "--shard needs K/N with whole numbers, 1 <= K <= N (e.g. 1/4), not '%s'",
                 spec);
        return false;
    }
    if (*k == 0 || *k > *n) {
        buf_addf(err, "--shard %s: K must be from 1 to %lu (K counts from 1)", spec, *n);
        return false;
    }
    return true;
}

static void shard_add_lower(struct buf *key, const char *s, size_t n)
{
    buf_reserve(key, n);
    for (size_t i = 0; i < n; i++)
        buf_addc(key, s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] | 0x20) : s[i]);
}

/* True for a dotted-decimal IPv4 address (what libpsl would treat as a
 * domain name). */
static bool shard_ipv4(const char *s, size_t n)
{
    size_t dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            dots++;
        else if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return dots == 3;
}

static void shard_domain(struct buf *key, const struct url_parts *u)
{
    if (u->ipv6 || shard_ipv4(u->host, u->host_len)) {
        shard_add_lower(key, u->host, u->host_len);
        return;
    }
    shard_add_lower(key, u->host, u->host_len); /* libpsl wants it lower case */
    const char *reg = psl_registrable_domain(psl_builtin(), key->p);
    if (reg && reg != key->p) {
        size_t n = strlen(reg);
        memmove(key->p, reg, n + 1);
        key->len = n;
    }
}

void shard_key(enum shard_by by, const char *proto_default, const char *line, size_t len,
               struct buf *key)
{
    buf_clear(key);
    const char *url = line;
    size_t ulen = len;
    cJSON *spec = NULL;
    if (len && line[0] == '{') { /* a request spec: its "url" */
        spec = cJSON_ParseWithLength(line, len);
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(spec, "url");
        if (cJSON_IsString(u)) {
            url = u->valuestring;
            ulen = strlen(url);
        }
    }
    struct url_parts parts;
    if (by == SHARD_BY_URL || (url == line && spec) || !url_split(url, ulen, &parts)) {
        buf_add(key, by == SHARD_BY_URL ? url : line, by == SHARD_BY_URL ? ulen : len);
    } else {
        switch (by) {
        case SHARD_BY_HOST:
            shard_add_lower(key, parts.host, parts.host_len);
            break;
        case SHARD_BY_DOMAIN:
            shard_domain(key, &parts);
            break;
        case SHARD_BY_ORIGIN:
            url_origin(&parts, proto_default, key);
            break;
        case SHARD_BY_URL:
            break;
        }
    }
    cJSON_Delete(spec);
    buf_str(key);
}

unsigned long shard_of(enum shard_by by, const char *proto_default, const char *line, size_t len,
                       unsigned long n, struct buf *scratch)
{
    shard_key(by, proto_default, line, len, scratch);
    return (unsigned long)(hash_fnv1a64(scratch->p, scratch->len) % n) + 1;
}
