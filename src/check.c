/* check: --expect-* expectations: each parsed expectation is a reference-
 * counted item (a status list, a PCRE2 regex, a jq program's text, a KMP
 * table for streaming body-contains, ...), a spec is a set of items;
 * parsing, merging, and a bounded cache of compiled items for per-line
 * specs. jq programs are compiled and run by jqw's worker, never here. The
 * body's state is check_state.c's, evaluation check_eval.c's. */
#include "check.h"
#include "check_impl.h"
#include "jqw.h"
#include "log.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- items and specs ---------------------------------------------------- */

static const char *const check_names[CK__COUNT] = {
    "status", "header", "body", "body-contains", "jq", "time", "size", "sha256",
};

static struct check_item *check_item_new(enum check_kind kind)
{
    struct check_item *it = log_calloc(1, sizeof *it);
    it->refs = 1;
    it->kind = kind;
    it->max = -1;
    return it;
}

static struct check_item *check_item_ref(struct check_item *it)
{
    if (it)
        it->refs++;
    return it;
}

static void check_item_unref(struct check_item *it)
{
    if (!it || --it->refs > 0)
        return;
    free(it->expected);
    free(it->value);
    free(it->ranges);
    free(it->hname);
    pcre2_code_free(it->re);
    free(it->needle);
    free(it->kmp);
    free(it);
}

struct check_spec *check_spec_new(void)
{
    return log_calloc(1, sizeof(struct check_spec));
}

void check_spec_free(struct check_spec *s)
{
    if (!s)
        return;
    for (size_t k = 0; k < CK__COUNT; k++)
        check_item_unref(s->item[k]);
    for (size_t i = 0; i < s->nheaders; i++)
        check_item_unref(s->headers[i]);
    free(s->headers);
    free(s);
}

struct check_spec *check_spec_override(const struct check_spec *base, const struct check_spec *line)
{
    struct check_spec *s = check_spec_new();
    for (size_t k = 0; k < CK__COUNT; k++) {
        struct check_item *it = line && line->item[k] ? line->item[k] : base ? base->item[k] : NULL;
        s->item[k] = check_item_ref(it);
    }
    const struct check_spec *h = line && line->nheaders ? line : base;
    if (h && h->nheaders) {
        s->headers = log_calloc(h->nheaders, sizeof *s->headers);
        for (size_t i = 0; i < h->nheaders; i++)
            s->headers[i] = check_item_ref(h->headers[i]);
        s->nheaders = h->nheaders;
    }
    return s;
}

bool check_spec_empty(const struct check_spec *s)
{
    if (!s)
        return true;
    for (size_t k = 0; k < CK__COUNT; k++)
        if (s->item[k])
            return false;
    return s->nheaders == 0;
}

bool check_spec_needs_body(const struct check_spec *s)
{
    return s && (s->item[CK_BODY] || s->item[CK_JQ]);
}

const char *check_spec_jq(const struct check_spec *s)
{
    return s && s->item[CK_JQ] ? s->item[CK_JQ]->value : NULL;
}

bool check_spec_compile(const struct check_spec *s, struct jqw *w, struct buf *err)
{
    const char *program = check_spec_jq(s);
    if (!program)
        return true;
    struct buf why = {0};
    bool ok = jqw_compile(w, program, &why);
    if (!ok)
        buf_addf(err, "--expect-jq: '%s' does not compile: %s", program,
                 why.len ? buf_str(&why) : "invalid program");
    buf_free(&why);
    return ok;
}

bool check_spec_has_headers(const struct check_spec *s)
{
    return s && s->nheaders > 0;
}

bool check_spec_has_status(const struct check_spec *s)
{
    return s && s->item[CK_STATUS];
}

bool check_status_ok(const struct check_spec *s, long http_code)
{
    const struct check_item *it = s ? s->item[CK_STATUS] : NULL;
    if (!it)
        return http_code >= 200 && http_code <= 399;
    for (size_t i = 0; i < it->nranges; i++)
        if (http_code >= it->ranges[i].lo && http_code <= it->ranges[i].hi)
            return true;
    return false;
}

/* ---- parsing ------------------------------------------------------------ */

/* Trim blanks (text_blank) from both ends of [*s, *e). */
static void check_trim(const char **s, const char **e)
{
    size_t n = (size_t)(*e - *s);
    text_trim(s, &n);
    *e = *s + n;
}

/* The status codes HTTP defines (RFC 9110, 15: 100 to 599). */
#define CHECK_STATUS_MIN 100
#define CHECK_STATUS_MAX 599

/* Three decimal digits in [s, e), as a number (any, 000 to 999); -1 when
 * they are not that. */
static long check_three_digits(const char *s, const char *e)
{
    if (e - s != 3 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]))
        return -1;
    return (s[0] - '0') * 100L + (s[1] - '0') * 10 + (s[2] - '0');
}

/* A status code CHECK_STATUS_MIN..CHECK_STATUS_MAX in [s, e). */
static bool check_parse_code(const char *s, const char *e, long *out)
{
    long v = check_three_digits(s, e);
    if (v < CHECK_STATUS_MIN || v > CHECK_STATUS_MAX)
        return false;
    *out = v;
    return true;
}

static bool check_parse_status(struct check_item *it, const char *v, struct buf *err)
{
    struct buf norm = {0};
    size_t cap = 0;
    const char *p = v, *vs = v, *ve = v + strlen(v);
    check_trim(&vs, &ve);
    if (vs == ve) {
        buf_adds(err, "--expect-status: the list is empty");
        return false;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *s = p, *e = comma ? comma : p + strlen(p);
        check_trim(&s, &e);
        struct check_range r;
        const char *dash = memchr(s, '-', (size_t)(e - s));
        if (s == e) {
            buf_addf(err, "--expect-status: empty item in '%s'", v);
            goto fail;
        }
        if (e - s == 3 && s[0] >= '1' && s[0] <= '5' && (s[1] == 'x' || s[1] == 'X') &&
            (s[2] == 'x' || s[2] == 'X')) {
            r.lo = (s[0] - '0') * 100L;
            r.hi = r.lo + 99;
            buf_addf(&norm, "%s%cxx", norm.len ? "," : "", s[0]);
        } else if (dash) {
            const char *a = s, *ae = dash, *b = dash + 1, *be = e;
            check_trim(&a, &ae);
            check_trim(&b, &be);
            if (!check_parse_code(a, ae, &r.lo) || !check_parse_code(b, be, &r.hi)) {
                buf_addf(err,
                         "--expect-status: '%.*s' is not a range of status codes like 300-399 "
                         "(codes are 100 to 599)",
                         (int)(e - s), s);
                goto fail;
            }
            if (r.lo > r.hi) {
                buf_addf(err, "--expect-status: range '%.*s' runs backwards", (int)(e - s), s);
                goto fail;
            }
            buf_addf(&norm, "%s%ld-%ld", norm.len ? "," : "", r.lo, r.hi);
        } else if (check_three_digits(s, e) >= 0 && !check_parse_code(s, e, &r.lo)) {
            buf_addf(err, "--expect-status: %.*s is not an HTTP status code (100 to 599)",
                     (int)(e - s), s);
            goto fail;
        } else {
            if (!check_parse_code(s, e, &r.lo)) {
                buf_addf(err,
                         "--expect-status: '%.*s' is not a status code (a list like "
                         "200,204,300-399 or 2xx; codes are 100 to 599)",
                         (int)(e - s), s);
                goto fail;
            }
            r.hi = r.lo;
            buf_addf(&norm, "%s%ld", norm.len ? "," : "", r.lo);
        }
        if (it->nranges == cap) {
            cap = cap ? cap * 2 : 4;
            it->ranges = log_realloc(it->ranges, cap * sizeof *it->ranges);
        }
        it->ranges[it->nranges++] = r;
        if (!comma)
            break;
        p = comma + 1;
    }
    it->expected = log_strdup(buf_str(&norm));
    buf_free(&norm);
    return true;
fail:
    buf_free(&norm);
    return false;
}

/* Compile PATTERN for --expect-NAME, or explain why not in ERR. */
static pcre2_code *check_regex(const char *name, const char *pattern, struct buf *err)
{
    int code;
    PCRE2_SIZE off;
    /* every item gets a callout, which counts the steps of a check (see
     * check_match) */
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_AUTO_CALLOUT, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
            strcpy((char *)msg, "invalid");
        buf_addf(err, "--expect-%s: bad regex '%s' at offset %zu: %s", name, pattern, (size_t)off,
                 (const char *)msg);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional: falls back to the interpreter */
    return re;
}

/* An HTTP header name: RFC 9110 token characters. */
static bool check_token(const char *s, const char *e)
{
    if (s == e)
        return false;
    for (; s < e; s++) {
        unsigned char c = (unsigned char)*s;
        if (!isalnum(c) && !strchr("!#$%&'*+-.^_`|~", c))
            return false;
    }
    return true;
}

static bool check_parse_header(struct check_item *it, const char *v, struct buf *err)
{
    const char *colon = strchr(v, ':');
    const char *s = v, *e = colon ? colon : v;
    check_trim(&s, &e);
    if (!colon || !check_token(s, e)) {
        buf_addf(err, "--expect-header: '%s' is not 'Name: REGEX'", v);
        return false;
    }
    const char *pattern = colon + 1;
    while (text_blank(*pattern))
        pattern++;
    if (!(it->re = check_regex("header", pattern, err)))
        return false;
    it->hname = log_strndup(s, (size_t)(e - s));
    struct buf b = {0};
    if (*pattern)
        buf_addf(&b, "%s: %s", it->hname, pattern);
    else /* only asks for the header */
        buf_addf(&b, "%s:", it->hname);
    it->expected = log_strdup(buf_str(&b));
    buf_free(&b);
    return true;
}

static bool check_parse_contains(struct check_item *it, const char *v, struct buf *err)
{
    size_t n = strlen(v);
    if (n == 0) {
        buf_adds(err, "--expect-body-contains: the text must not be empty");
        return false;
    }
    it->needle = (unsigned char *)log_strdup(v);
    it->needle_len = n;
    it->kmp = log_calloc(n, sizeof *it->kmp);
    for (size_t i = 1, k = 0; i < n; i++) {
        while (k > 0 && it->needle[i] != it->needle[k])
            k = it->kmp[k - 1];
        if (it->needle[i] == it->needle[k])
            k++;
        it->kmp[i] = k;
    }
    it->expected = log_strdup(v);
    return true;
}

/* A jq program is kept as text: whether it compiles is the worker's to say
 * (check_spec_compile), and it runs there too. */
static bool check_parse_jq(struct check_item *it, const char *v, struct buf *err)
{
    size_t n = strlen(v);
    if (n > JQW_MAX_PROGRAM) {
        buf_addf(err, "--expect-jq: the program is too long (%zu bytes, at most %zu)", n,
                 JQW_MAX_PROGRAM);
        return false;
    }
    it->expected = log_strdup(v);
    return true;
}

/* Seconds (as -m takes them) to microseconds. */
static bool check_parse_secs(const char *v, int64_t *us)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    while (text_blank(*end))
        end++;
    if (end == v || *end || errno || !isfinite(d) || d < 0 || d > 86400.0 * 365)
        return false;
    *us = (int64_t)llround(d * 1e6);
    return true;
}

void check_add_secs(struct buf *b, int64_t us)
{
    size_t start = b->len;
    buf_add_secs(b, us, 6);
    if (memchr(b->p + start, '.', b->len - start)) {
        while (b->p[b->len - 1] == '0')
            b->len--;
        if (b->p[b->len - 1] == '.')
            b->len--;
        b->p[b->len] = '\0';
    }
}

static bool check_parse_time(struct check_item *it, const char *v, struct buf *err)
{
    if (!check_parse_secs(v, &it->limit_us)) {
        buf_addf(err, "--expect-time: '%s' is not a number of seconds", v);
        return false;
    }
    struct buf b = {0};
    buf_adds(&b, "<= ");
    check_add_secs(&b, it->limit_us);
    it->expected = log_strdup(buf_str(&b));
    buf_free(&b);
    return true;
}

bool check_parse_bytes(const char *s, const char *e, int64_t *out)
{
    check_trim(&s, &e);
    if (s == e || !isdigit((unsigned char)*s))
        return false;
    int64_t v = 0;
    for (; s < e && isdigit((unsigned char)*s); s++) {
        int d = *s - '0';
        if (v > (INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    int64_t mul = 1;
    if (s < e) {
        switch (*s++) {
        case 'k':
        case 'K':
            mul = 1024;
            break;
        case 'm':
        case 'M':
            mul = 1024 * 1024;
            break;
        case 'g':
        case 'G':
            mul = 1024 * 1024 * 1024;
            break;
        default:
            return false;
        }
        if (s < e)
            return false;
    }
    if (v > INT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

static bool check_parse_size(struct check_item *it, const char *v, struct buf *err)
{
    const char *dash = strchr(v, '-');
    const char *end = v + strlen(v);
    bool ok;
    if (!dash) {
        ok = check_parse_bytes(v, end, &it->min);
        it->max = it->min;
    } else {
        ok = check_parse_bytes(v, dash, &it->min);
        const char *b = dash + 1, *be = end;
        check_trim(&b, &be);
        if (ok && b == be)
            it->max = -1;
        else
            ok = ok && check_parse_bytes(b, be, &it->max) && it->min <= it->max;
    }
    if (!ok) {
        buf_addf(err, "--expect-size: '%s' is not N, MIN-MAX or MIN- (bytes)", v);
        return false;
    }
    struct buf b = {0};
    if (it->max < 0)
        buf_addf(&b, ">= %lld", (long long)it->min);
    else if (it->min == it->max)
        buf_addf(&b, "%lld", (long long)it->min);
    else
        buf_addf(&b, "%lld-%lld", (long long)it->min, (long long)it->max);
    it->expected = log_strdup(buf_str(&b));
    buf_free(&b);
    return true;
}

static bool check_parse_sha256(struct check_item *it, const char *v, struct buf *err)
{
    const char *s = v, *e = v + strlen(v);
    check_trim(&s, &e);
    bool ok = e - s == 64;
    for (size_t i = 0; ok && i < 64; i++) {
        if (!isxdigit((unsigned char)s[i]))
            ok = false;
        else
            it->hex[i] = (char)tolower((unsigned char)s[i]);
    }
    if (!ok) {
        buf_addf(err, "--expect-sha256: '%s' is not 64 hex digits", v);
        return false;
    }
    it->hex[64] = '\0';
    it->expected = log_strdup(it->hex);
    return true;
}

/* ---- the cache ---------------------------------------------------------- */

struct check_cache {
    struct check_item **items; /* a ring: NULL slots are free */
    size_t cap;
    size_t next; /* the slot written next (holding the oldest entry) */
};

struct check_cache *check_cache_new(size_t capacity)
{
    struct check_cache *c = log_calloc(1, sizeof *c);
    c->cap = capacity ? capacity : 1;
    c->items = log_calloc(c->cap, sizeof *c->items);
    return c;
}

void check_cache_free(struct check_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        check_item_unref(c->items[i]);
    free(c->items);
    free(c);
}

static bool check_cacheable(enum check_kind k)
{
    return k == CK_HEADER || k == CK_BODY || k == CK_JQ;
}

static struct check_item *check_cache_find(const struct check_cache *c, enum check_kind k,
                                           const char *value)
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->items[i] && c->items[i]->kind == k && !strcmp(c->items[i]->value, value))
            return c->items[i];
    return NULL;
}

static void check_cache_put(struct check_cache *c, struct check_item *it)
{
    check_item_unref(c->items[c->next]);
    c->items[c->next] = check_item_ref(it);
    c->next = (c->next + 1) % c->cap;
}

/* ---- setting ------------------------------------------------------------ */

bool check_spec_set(struct check_spec *s, const char *name, const char *value, struct buf *err)
{
    return check_spec_set_cached(s, NULL, name, value, err);
}

/* Parse VALUE for --expect-KIND into a new item, or NULL with ERR. */
static struct check_item *check_item_parse(enum check_kind kind, const char *value, struct buf *err)
{
    struct check_item *it = check_item_new(kind);
    bool ok = false;
    switch (kind) {
    case CK_STATUS:
        ok = check_parse_status(it, value, err);
        break;
    case CK_HEADER:
        ok = check_parse_header(it, value, err);
        break;
    case CK_BODY:
        ok = (it->re = check_regex("body", value, err)) != NULL;
        if (ok)
            it->expected = log_strdup(value);
        break;
    case CK_CONTAINS:
        ok = check_parse_contains(it, value, err);
        break;
    case CK_JQ:
        ok = check_parse_jq(it, value, err);
        break;
    case CK_TIME:
        ok = check_parse_time(it, value, err);
        break;
    case CK_SIZE:
        ok = check_parse_size(it, value, err);
        break;
    case CK_SHA256:
        ok = check_parse_sha256(it, value, err);
        break;
    }
    if (!ok) {
        check_item_unref(it);
        return NULL;
    }
    it->value = log_strdup(value);
    return it;
}

bool check_spec_set_cached(struct check_spec *s, struct check_cache *cache, const char *name,
                           const char *value, struct buf *err)
{
    size_t k = 0;
    while (k < CK__COUNT && strcmp(check_names[k], name))
        k++;
    if (k == CK__COUNT) {
        buf_addf(err,
                 "unknown expectation '%s' (status, header, body, body-contains, jq, time, size, "
                 "sha256)",
                 name);
        return false;
    }
    enum check_kind kind = (enum check_kind)k;
    struct check_item *it = NULL;
    if (cache && check_cacheable(kind) && (it = check_cache_find(cache, kind, value))) {
        check_item_ref(it);
    } else {
        if (!(it = check_item_parse(kind, value, err)))
            return false;
        if (cache && check_cacheable(kind))
            check_cache_put(cache, it);
    }
    if (it->kind == CK_HEADER) {
        s->headers = log_realloc(s->headers, (s->nheaders + 1) * sizeof *s->headers);
        s->headers[s->nheaders++] = it;
    } else {
        check_item_unref(s->item[k]);
        s->item[k] = it;
    }
    return true;
}
