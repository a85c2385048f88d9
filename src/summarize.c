/* summarize: record files back into records, the latest per request. */
#include "summarize.h"
#include "clock.h"
#include "field.h"
#include "headers.h"
#include "log.h"
#include "resume.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A parsed line: the cJSON tree the record's strings point into, the
 * printed id and headers, and the checks array. */
struct summarize_tree {
    cJSON *root;
    struct buf id_json, headers_json; /* written by summarize_json */
    struct check_failure *checks;
    struct record_source *sources; /* their file names are copies in source_files */
    struct buf source_files;
    struct headers hdrs; /* the headers object again, for -w %header{NAME} */
    struct buf line;     /* scratch: one header line */
};

void summarize_tree_free(struct summarize_tree *t)
{
    if (!t)
        return;
    cJSON_Delete(t->root);
    buf_free(&t->id_json);
    buf_free(&t->headers_json);
    free(t->checks);
    free(t->sources);
    buf_free(&t->source_files);
    headers_free(&t->hdrs);
    buf_free(&t->line);
    free(t);
}

/* V as compact JSON into DST, its strings (and keys) through the one JSON
 * string writer, so that what a record file held as invalid UTF-8 is
 * written back valid, as every record is (cJSON would print it raw). */
static void summarize_json(struct buf *dst, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        text_json_string(dst, v->valuestring, strlen(v->valuestring));
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool obj = cJSON_IsObject(v);
        buf_addc(dst, obj ? '{' : '[');
        for (const cJSON *c = v->child; c; c = c->next) {
            if (c != v->child)
                buf_addc(dst, ',');
            if (obj) {
                text_json_string(dst, c->string, strlen(c->string));
                buf_addc(dst, ':');
            }
            summarize_json(dst, c);
        }
        buf_addc(dst, obj ? '}' : ']');
    } else { /* a number, true, false, null: cJSON's printing */
        cJSON copy = *v;
        copy.next = copy.prev = NULL;
        copy.string = NULL;
        char *p = cJSON_PrintUnformatted(&copy);
        if (!p)
            log_die(LOG_EXIT_INTERNAL, "out of memory");
        buf_adds(dst, p);
        cJSON_free(p);
    }
}

static const char *summarize_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The largest integer a JSON number (a double) holds exactly: 2^53. */
#define SUMMARIZE_INT_MAX 9007199254740992.0

/* V within [LO, SUMMARIZE_INT_MAX] (cJSON reads 1e400 as infinity): every
 * integer type of a record can take it. */
static double summarize_clamp(double v, double lo)
{
    if (!(v >= lo)) /* NaN too */
        return isnan(v) ? 0 : lo;
    return v > SUMMARIZE_INT_MAX ? SUMMARIZE_INT_MAX : v;
}

static double summarize_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static int64_t summarize_us(const cJSON *o, const char *key)
{
    return (int64_t)llround(summarize_clamp(summarize_num(o, key) * 1e6, -SUMMARIZE_INT_MAX));
}

static bool summarize_error(const cJSON *e, struct record *r)
{
    if (cJSON_IsNull(e) || !e) {
        r->kind = KIND_NONE;
        r->error_code = -1;
        return true;
    }
    const char *kind = summarize_str(e, "kind");
    if (!kind)
        return false;
    r->kind = KIND_OTHER;
    for (int k = KIND_NONE + 1; k < KIND__COUNT; k++)
        if (strcmp(kind, record_kind_name((enum record_kind)k)) == 0)
            r->kind = (enum record_kind)k;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
    r->error_code =
        cJSON_IsNumber(code) ? (long)summarize_clamp(code->valuedouble, -SUMMARIZE_INT_MAX) : -1;
    r->error_message = summarize_str(e, "message");
    return true;
}

static void summarize_checks(const cJSON *a, struct record *r, struct summarize_tree *t)
{
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a) || n == 0)
        return;
    t->checks = log_calloc(n, sizeof *t->checks);
    const cJSON *c;
    cJSON_ArrayForEach(c, a)
    {
        struct check_failure *f = &t->checks[r->nchecks++];
        f->check = summarize_str(c, "check");
        f->expected = summarize_str(c, "expected");
        f->actual = summarize_str(c, "actual");
        if (!f->check)
            f->check = "";
        if (!f->expected)
            f->expected = "";
        if (!f->actual)
            f->actual = "";
    }
    r->checks = t->checks;
}

/* "FILE:LINE:COLUMN" into *FILE (LEN bytes, the text before the last two
 * colons), LINE and COLUMN; false when S is not of that form. */
static bool summarize_source(const char *s, size_t *len, uint32_t *line, uint32_t *column)
{
    const char *c2 = strrchr(s, ':');
    const char *c1 = c2 ? c2 : s;
    while (c1 > s && c1[-1] != ':')
        c1--;
    if (!c2 || c1 == s || c1 == c2 || !c2[1])
        return false;
    char *end;
    unsigned long l = strtoul(c1, &end, 10), c = 0;
    if (end != c2 || l > UINT32_MAX)
        return false;
    c = strtoul(c2 + 1, &end, 10);
    if (*end || c > UINT32_MAX)
        return false;
    *len = (size_t)(c1 - 1 - s);
    *line = (uint32_t)l;
    *column = (uint32_t)c;
    return true;
}

/* The sources array A again (the places of a --links record); entries not
 * of the form FILE:LINE:COLUMN are left out. */
static void summarize_sources(const cJSON *a, struct record *r, struct summarize_tree *t)
{
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a) || n == 0)
        return;
    t->sources = log_calloc(n, sizeof *t->sources);
    size_t *at = log_calloc(n, sizeof *at); /* file name offsets while the buffer grows */
    const cJSON *v;
    cJSON_ArrayForEach(v, a)
    {
        size_t len;
        struct record_source *src = &t->sources[r->nsources];
        if (!cJSON_IsString(v) || !summarize_source(v->valuestring, &len, &src->line, &src->column))
            continue;
        at[r->nsources++] = t->source_files.len;
        buf_add(&t->source_files, v->valuestring, len);
        buf_addc(&t->source_files, '\0');
    }
    for (size_t i = 0; i < r->nsources; i++)
        t->sources[i].file = t->source_files.p + at[i];
    free(at);
    r->sources = r->nsources ? t->sources : NULL;
}

/* The headers object O again as the response's headers, so that -w's
 * %header{NAME} and %{header_json} work on records read back. */
static void summarize_headers(const cJSON *o, struct record *r, struct summarize_tree *t)
{
    if (!cJSON_IsObject(o))
        return;
    headers_feed(&t->hdrs, "HTTP/1.1 200\r\n", 14);
    const cJSON *h;
    cJSON_ArrayForEach(h, o)
    {
        if (!cJSON_IsString(h))
            continue;
        buf_clear(&t->line);
        buf_addf(&t->line, "%s: %s\r\n", h->string, h->valuestring);
        headers_feed(&t->hdrs, t->line.p, t->line.len);
    }
    r->response_headers = &t->hdrs;
}

/* Key F of record object ROOT into R (the error object, of a valid record,
 * is read before). */
static void summarize_field(const cJSON *root, const struct field *f, struct record *r,
                            struct summarize_tree *t)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, f->name);
    void *at = field_at(f, r);
    switch (f->type) {
    case FIELD_U64:
        *(uint64_t *)at = (uint64_t)summarize_clamp(summarize_num(root, f->name), 0);
        break;
    case FIELD_LONG:
        *(long *)at = (long)summarize_clamp(summarize_num(root, f->name), -SUMMARIZE_INT_MAX);
        break;
    case FIELD_I64:
        *(int64_t *)at = (int64_t)summarize_clamp(summarize_num(root, f->name), -SUMMARIZE_INT_MAX);
        break;
    case FIELD_SECS:
        *(int64_t *)at = summarize_us(root, f->name);
        break;
    case FIELD_BOOL:
        *(bool *)at = cJSON_IsTrue(v);
        break;
    case FIELD_STR:
        *(const char **)at = summarize_str(root, f->name);
        break;
    case FIELD_TIMESTAMP:
        if (!cJSON_IsString(v) ||
            !clock_parse_rfc3339(v->valuestring, strlen(v->valuestring), &r->timestamp_ms))
            r->timestamp_ms = 0;
        break;
    case FIELD_ID:
        if (v) {
            summarize_json(&t->id_json, v);
            r->id_json = buf_str(&t->id_json);
        }
        break;
    case FIELD_OBJECT: /* headers */
        if (cJSON_IsObject(v)) {
            summarize_json(&t->headers_json, v);
            r->headers_json = buf_str(&t->headers_json);
        }
        summarize_headers(v, r, t);
        break;
    case FIELD_CHECKS:
        summarize_checks(v, r, t);
        break;
    case FIELD_SOURCES:
        summarize_sources(v, r, t);
        break;
    case FIELD_BODY:
        if (cJSON_IsString(v)) {
            r->has_body = true;
            r->body = v->valuestring;
            r->body_len = strlen(v->valuestring);
            r->body_truncated =
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "body_truncated"));
        }
        break;
    default: /* the error, read before; the -w names */
        break;
    }
}

bool summarize_parse(const char *line, size_t len, struct record *r, struct summarize_tree **tree)
{
    memset(r, 0, sizeof *r);
    *tree = NULL;
    cJSON *root = cJSON_ParseWithLength(line, len);
    if (!cJSON_IsObject(root) || !summarize_str(root, "url") || !summarize_str(root, "method") ||
        !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(root, "ok"))) {
        cJSON_Delete(root);
        return false;
    }
    struct summarize_tree *t = log_calloc(1, sizeof *t);
    t->root = root;
    if (!summarize_error(cJSON_GetObjectItemCaseSensitive(root, "error"), r)) {
        summarize_tree_free(t);
        return false;
    }
    *tree = t;
    size_t n;
    const struct field *f = field_table(&n);
    for (const struct field *end = f + n; f < end; f++)
        if (f->key != FIELD_WRITE_OUT)
            summarize_field(root, f, r, t);
    if (!r->url_effective)
        r->url_effective = r->url;
    return true;
}

/* ---- the latest record of each key -------------------------------------- */

/* Where a record is: file index and byte offset of its line. */
struct summarize_pos {
    uint32_t file;
    uint64_t off;
};

/* An open-addressing table from a key's 128-bit fingerprint to the
 * position of its latest record. */
struct summarize_slot {
    uint64_t hi, lo;
    struct summarize_pos pos;
    bool used;
};

struct summarize_map {
    struct summarize_slot *v;
    size_t cap, n;
    EVP_MD *md5;
    EVP_MD_CTX *ctx;
    struct buf key;
};

static void summarize_put(struct summarize_map *m, uint64_t hi, uint64_t lo,
                          struct summarize_pos pos);

static void summarize_grow(struct summarize_map *m)
{
    struct summarize_slot *old = m->v;
    size_t ocap = m->cap;
    m->cap = ocap ? ocap * 2 : 1024;
    m->v = log_calloc(m->cap, sizeof *m->v);
    m->n = 0;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].used)
            summarize_put(m, old[i].hi, old[i].lo, old[i].pos);
    free(old);
}

static void summarize_put(struct summarize_map *m, uint64_t hi, uint64_t lo,
                          struct summarize_pos pos)
{
    if (2 * (m->n + 1) > m->cap)
        summarize_grow(m);
    for (size_t i = lo & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct summarize_slot *s = &m->v[i];
        if (!s->used) {
            *s = (struct summarize_slot){hi, lo, pos, true};
            m->n++;
            return;
        }
        if (s->hi == hi && s->lo == lo) {
            s->pos = pos; /* a later record of the same request wins */
            return;
        }
    }
}

static void summarize_fingerprint(struct summarize_map *m, const struct record *r, uint64_t *hi,
                                  uint64_t *lo)
{
    resume_key(&m->key, r->id_json, r->method, r->url);
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (!EVP_DigestInit_ex2(m->ctx, m->md5, NULL) ||
        !EVP_DigestUpdate(m->ctx, m->key.p, m->key.len) || !EVP_DigestFinal_ex(m->ctx, d, &dlen))
        log_die(LOG_EXIT_INTERNAL, "MD5 is not available from libcrypto");
    *hi = *lo = 0;
    for (int i = 0; i < 8; i++) {
        *hi = *hi << 8 | d[i];
        *lo = *lo << 8 | d[8 + i];
    }
}

static int summarize_pos_cmp(const void *a, const void *b)
{
    const struct summarize_pos *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Call FN for every whole line of file NAME (a torn last line is left out
 * with a warning), with its byte offset. False with a message in ERR when
 * the file cannot be read. */
static bool summarize_lines(const char *name, struct buf *err,
                            void (*fn)(void *, const char *, size_t, uint64_t), void *arg,
                            bool warn)
{
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "re");
    if (!f) {
        buf_addf(err, "cannot read %s: %s", name, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    uint64_t off = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n') {
            if (warn)
                log_warn("--summarize %s: its last line is incomplete; ignored", name);
            break;
        }
        fn(arg, line, (size_t)n - 1, off);
        off += (uint64_t)n;
    }
    bool ok = !ferror(f);
    if (!ok)
        buf_addf(err, "cannot read %s: %s", name, strerror(errno));
    free(line);
    if (f != stdin)
        fclose(f);
    return ok;
}

struct summarize_pass {
    struct summarize_map *m;
    uint32_t file;
    uint64_t not_records;
    /* the second pass */
    struct writer *w;
    const struct summarize_pos *want;
    size_t nwant, next;
    int64_t first_ms, last_ms;
};

static void summarize_index(void *arg, const char *line, size_t len, uint64_t off)
{
    struct summarize_pass *p = arg;
    struct record r;
    struct summarize_tree *t;
    if (len == 0)
        return;
    if (!summarize_parse(line, len, &r, &t)) {
        p->not_records++;
        return;
    }
    uint64_t hi, lo;
    summarize_fingerprint(p->m, &r, &hi, &lo);
    summarize_put(p->m, hi, lo, (struct summarize_pos){p->file, off});
    summarize_tree_free(t);
}

static void summarize_emit(void *arg, const char *line, size_t len, uint64_t off)
{
    struct summarize_pass *p = arg;
    if (p->next == p->nwant || p->want[p->next].file != p->file || p->want[p->next].off != off)
        return;
    p->next++;
    struct record r;
    struct summarize_tree *t;
    if (!summarize_parse(line, len, &r, &t))
        return; /* the file changed between the passes */
    if (r.timestamp_ms) {
        int64_t end = r.timestamp_ms + r.time_total / 1000;
        if (!p->first_ms || r.timestamp_ms < p->first_ms)
            p->first_ms = r.timestamp_ms;
        if (end > p->last_ms)
            p->last_ms = end;
    }
    writer_record(p->w, &r);
    summarize_tree_free(t);
}

bool summarize_run(const struct config *cfg, struct writer *w, int64_t *elapsed_us, struct buf *err)
{
    struct summarize_map m = {0};
    m.md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    m.ctx = EVP_MD_CTX_new();
    if (!m.md5 || !m.ctx)
        log_die(LOG_EXIT_INTERNAL, "MD5 is not available from libcrypto");
    struct summarize_pass p = {.m = &m, .w = w};
    bool ok = true;
    for (size_t i = 0; i < cfg->nfiles && ok; i++) {
        p.file = (uint32_t)i;
        p.not_records = 0;
        ok = summarize_lines(cfg->files[i], err, summarize_index, &p, true);
        if (ok && p.not_records)
            log_warn("--summarize %s: %llu line%s not volley JSON records; ignored", cfg->files[i],
                     (unsigned long long)p.not_records, p.not_records == 1 ? " is" : "s are");
    }
    struct summarize_pos *want = log_calloc(m.n ? m.n : 1, sizeof *want);
    size_t nwant = 0;
    for (size_t i = 0; i < m.cap; i++)
        if (m.v[i].used)
            want[nwant++] = m.v[i].pos;
    qsort(want, nwant, sizeof *want, summarize_pos_cmp);
    p.want = want;
    p.nwant = nwant;
    for (size_t i = 0; i < cfg->nfiles && ok; i++) {
        p.file = (uint32_t)i;
        if (strcmp(cfg->files[i], "-") != 0) /* stdin cannot be read twice */
            ok = summarize_lines(cfg->files[i], err, summarize_emit, &p, false);
    }
    *elapsed_us = (p.last_ms - p.first_ms) * 1000;
    free(want);
    free(m.v);
    buf_free(&m.key);
    EVP_MD_CTX_free(m.ctx);
    EVP_MD_free(m.md5);
    return ok;
}
