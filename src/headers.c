/* headers: header lines appended to one buffer as they come; after the
 * transfer, one pass groups the entries by name (case-insensitively) with
 * an open-addressing hash table sized to twice the count, and a counting
 * sort lays each group's entries out together, so headers_get() is a hash
 * lookup and headers_json() one walk. */
#include "headers.h"
#include "hash.h"
#include "log.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct headers_group {
    size_t first; /* its first entry */
    size_t count;
    size_t start; /* where its entries begin in order[] */
    uint64_t hash;
};

void headers_init(struct headers *h)
{
    memset(h, 0, sizeof *h);
}

void headers_reset(struct headers *h)
{
    buf_clear(&h->text);
    h->n = 0;
    h->block = false;
    h->indexed = false;
}

void headers_free(struct headers *h)
{
    buf_free(&h->text);
    buf_free(&h->joined);
    free(h->e);
    free(h->g);
    free(h->slots);
    free(h->order);
    headers_init(h);
}

static char headers_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* FNV-1a over the name in lower case. */
static uint64_t headers_hash(const char *s, size_t n)
{
    uint64_t v = HASH_FNV1A64_BASIS;
    for (size_t i = 0; i < n; i++)
        v = hash_fnv1a64_step(v, (unsigned char)headers_lower(s[i]));
    return v;
}

/* ---- collecting --------------------------------------------------------- */

/* Without the blanks libcurl strips from a value's end (its CRLF too). */
static size_t headers_rstrip(const char *s, size_t n)
{
    while (n && text_blank(s[n - 1]))
        n--;
    return n;
}

void headers_feed(struct headers *h, const char *line, size_t len)
{
    if (len >= 5 && !memcmp(line, "HTTP/", 5)) { /* a new response */
        headers_reset(h);
        h->block = true;
        return;
    }
    if (!h->block)
        return; /* trailers, or nothing began */
    size_t n = headers_rstrip(line, len);
    if (n == 0) { /* the blank line that ends the block */
        h->block = false;
        return;
    }
    h->indexed = false;
    if ((line[0] == ' ' || line[0] == '\t') && h->n) {
        /* a folded line: one blank and the rest, onto the previous value
         * (the last thing in text) */
        size_t skip = 0;
        while (skip + 1 < n && (line[skip + 1] == ' ' || line[skip + 1] == '\t'))
            skip++;
        h->text.len--; /* the previous value's NUL */
        buf_add(&h->text, line + skip, n - skip);
        buf_addc(&h->text, '\0');
        h->e[h->n - 1].vlen += n - skip;
        return;
    }
    while (n && (line[0] == ' ' || line[0] == '\t')) { /* a fold with nothing before it */
        line++;
        n--;
    }
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line)
        return; /* not a header */
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 32;
        h->e = log_realloc(h->e, h->cap * sizeof *h->e);
    }
    struct headers_entry *e = &h->e[h->n++];
    e->name = h->text.len;
    e->nlen = nlen;
    buf_add(&h->text, line, nlen);
    buf_addc(&h->text, '\0');
    e->value = h->text.len;
    e->vlen = (size_t)(end - v);
    buf_add(&h->text, v, e->vlen);
    buf_addc(&h->text, '\0');
}

/* ---- the index ---------------------------------------------------------- */

static bool headers_same(const struct headers *h, size_t entry, const char *name, size_t n)
{
    const struct headers_entry *e = &h->e[entry];
    return e->nlen == n && !strncasecmp(h->text.p + e->name, name, n);
}

/* The slot of NAME (N bytes, hash V): its group's, or the free one where
 * it would go. */
static size_t headers_slot(const struct headers *h, const char *name, size_t n, uint64_t v)
{
    size_t mask = h->nslots - 1;
    for (size_t i = (size_t)v & mask;; i = (i + 1) & mask) {
        size_t gi = h->slots[i];
        if (!gi)
            return i;
        const struct headers_group *g = &h->g[gi - 1];
        if (g->hash == v && headers_same(h, g->first, name, n))
            return i;
    }
}

static void headers_index(struct headers *h)
{
    if (h->indexed)
        return;
    h->indexed = true;
    h->ng = 0;
    size_t want = 16;
    while (want < 2 * h->n)
        want *= 2;
    if (want > h->nslots) {
        free(h->slots);
        h->slots = log_calloc(want, sizeof *h->slots);
        h->nslots = want;
    } else {
        memset(h->slots, 0, h->nslots * sizeof *h->slots);
    }
    if (h->n > h->order_cap) {
        h->order = log_realloc(h->order, h->n * sizeof *h->order);
        h->order_cap = h->n;
    }
    if (h->n > h->gcap) {
        h->g = log_realloc(h->g, h->n * sizeof *h->g);
        h->gcap = h->n;
    }
    /* pass 1: each entry's group, and the counts */
    for (size_t i = 0; i < h->n; i++) {
        const struct headers_entry *e = &h->e[i];
        const char *name = h->text.p + e->name;
        uint64_t v = headers_hash(name, e->nlen);
        size_t s = headers_slot(h, name, e->nlen, v);
        if (!h->slots[s]) {
            h->g[h->ng] = (struct headers_group){.first = i, .hash = v};
            h->slots[s] = ++h->ng;
        }
        h->e[i].group = h->slots[s] - 1;
        h->g[h->e[i].group].count++;
    }
    /* pass 2: where each group starts; pass 3: lay the entries out */
    size_t at = 0;
    for (size_t gi = 0; gi < h->ng; gi++) {
        h->g[gi].start = at;
        at += h->g[gi].count;
        h->g[gi].count = 0;
    }
    for (size_t i = 0; i < h->n; i++) {
        struct headers_group *g = &h->g[h->e[i].group];
        h->order[g->start + g->count++] = i;
    }
}

const char *headers_get(struct headers *h, const char *name, size_t index)
{
    headers_index(h);
    if (!h->n)
        return NULL;
    size_t n = strlen(name);
    size_t gi = h->slots[headers_slot(h, name, n, headers_hash(name, n))];
    if (!gi || index >= h->g[gi - 1].count)
        return NULL;
    const struct headers_group *g = &h->g[gi - 1];
    return h->text.p + h->e[h->order[g->start + index]].value;
}

void headers_json(struct headers *h, struct buf *dst)
{
    headers_index(h);
    buf_addc(dst, '{');
    for (size_t gi = 0; gi < h->ng; gi++) {
        const struct headers_group *g = &h->g[gi];
        const struct headers_entry *first = &h->e[g->first];
        if (gi)
            buf_addc(dst, ',');
        text_json_string(dst, h->text.p + first->name, first->nlen);
        buf_addc(dst, ':');
        if (headers_secret(h->text.p + first->name, first->nlen)) {
            buf_add(dst, "\"***\"", 5);
            continue;
        }
        if (g->count == 1) {
            text_json_string(dst, h->text.p + first->value, first->vlen);
            continue;
        }
        struct buf *j = &h->joined;
        buf_clear(j);
        for (size_t k = 0; k < g->count; k++) {
            const struct headers_entry *e = &h->e[h->order[g->start + k]];
            if (k)
                buf_add(j, ", ", 2);
            buf_add(j, h->text.p + e->value, e->vlen);
        }
        text_json_string(dst, j->p, j->len);
    }
    buf_addc(dst, '}');
}

bool headers_secret(const char *name, size_t len)
{
    static const char *const secret[] = {"authorization", "proxy-authorization", "cookie",
                                         "set-cookie"};
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        if (strlen(secret[i]) == len && !strncasecmp(name, secret[i], len))
            return true;
    return false;
}
