/* resume: a sorted array of 128-bit fingerprints of the request keys that
 * have a final record, read from JSON Lines record files with a scanner
 * that looks only at the few top-level keys it needs. */
#include "resume.h"
#include "clock.h"
#include "log.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct resume_fp {
    uint64_t hi, lo;
};

struct resume_file {
    dev_t dev;
    ino_t ino;
    bool torn; /* its last byte at start was not a newline */
};

struct resume {
    struct resume_fp *fp;
    size_t n, cap;
    struct resume_file *files;
    size_t nfiles;
    EVP_MD *md5;
    EVP_MD_CTX *ctx;
};

static struct resume_fp resume_fingerprint(const struct resume *r, const char *key, size_t len)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (!EVP_DigestInit_ex2(r->ctx, r->md5, NULL) || !EVP_DigestUpdate(r->ctx, key, len) ||
        !EVP_DigestFinal_ex(r->ctx, d, &dlen) || dlen != 16)
        log_die(LOG_EXIT_INTERNAL, "MD5 is not available from libcrypto");
    struct resume_fp f = {0, 0};
    for (int i = 0; i < 8; i++) {
        f.hi = f.hi << 8 | d[i];
        f.lo = f.lo << 8 | d[8 + i];
    }
    return f;
}

static int resume_cmp(const void *a, const void *b)
{
    const struct resume_fp *x = a, *y = b;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void resume_swap(struct resume_fp *a, struct resume_fp *b)
{
    struct resume_fp t = *a;
    *a = *b;
    *b = t;
}

/* Sort N fingerprints in place: glibc's qsort() takes a second array as
 * large as the first for its merge sort, which would double the peak
 * memory of a large done set. Quicksort on the median of three, recursing
 * into the smaller side (log n deep), insertion sort for short runs. */
static void resume_sort(struct resume_fp *v, size_t n)
{
    while (n > 16) {
        size_t mid = n / 2;
        if (resume_cmp(&v[mid], &v[0]) < 0)
            resume_swap(&v[mid], &v[0]);
        if (resume_cmp(&v[n - 1], &v[0]) < 0)
            resume_swap(&v[n - 1], &v[0]);
        if (resume_cmp(&v[n - 1], &v[mid]) < 0)
            resume_swap(&v[n - 1], &v[mid]);
        struct resume_fp pivot = v[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (resume_cmp(&v[i], &pivot) < 0)
                i++;
            while (resume_cmp(&pivot, &v[j]) < 0)
                j--;
            if (i >= j)
                break;
            resume_swap(&v[i++], &v[j--]);
        }
        size_t left = j + 1; /* [0, left) <= pivot <= [left, n) */
        if (left < n - left) {
            resume_sort(v, left);
            v += left;
            n -= left;
        } else {
            resume_sort(v + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && resume_cmp(&v[j], &v[j - 1]) < 0; j--)
            resume_swap(&v[j], &v[j - 1]);
}

/* ---- a scanner for the top level of one JSON object -------------------- */

static const char *resume_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* The end of the JSON string starting at P ('"'), or NULL. */
static const char *resume_string_end(const char *p, const char *e)
{
    for (p++; p < e; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* The end of the JSON value at P, or NULL when it is malformed. Nesting is
 * bounded: records are shallow. */
static const char *resume_value_end(const char *p, const char *e, int depth)
{
    p = resume_ws(p, e);
    if (p >= e || depth > 32)
        return NULL;
    if (*p == '"')
        return resume_string_end(p, e);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = resume_ws(p + 1, e);
        if (p < e && *p == close)
            return p + 1;
        for (;;) {
            if (close == '}') {
                if (p >= e || *p != '"' || !(p = resume_string_end(p, e)))
                    return NULL;
                p = resume_ws(p, e);
                if (p >= e || *p++ != ':')
                    return NULL;
            }
            if (!(p = resume_value_end(p, e, depth + 1)))
                return NULL;
            p = resume_ws(p, e);
            if (p < e && *p == ',') {
                p = resume_ws(p + 1, e);
                continue;
            }
            return p < e && *p == close ? p + 1 : NULL;
        }
    }
    const char *s = p; /* number, true, false, null */
    while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t')
        p++;
    return p > s ? p : NULL;
}

struct resume_span {
    const char *p;
    size_t n; /* 0: absent */
};

static bool resume_is(const struct resume_span *s, const char *lit)
{
    return s->n == strlen(lit) && memcmp(s->p, lit, s->n) == 0;
}

/* Call FN for each top-level key of the object at [P, E). False when the
 * line is not one JSON object. */
static bool resume_object(const char *p, const char *e,
                          void (*fn)(void *, const char *, size_t, struct resume_span), void *arg)
{
    p = resume_ws(p, e);
    if (p >= e || *p != '{')
        return false;
    p = resume_ws(p + 1, e);
    if (p < e && *p == '}')
        return resume_ws(p + 1, e) == e;
    for (;;) {
        if (p >= e || *p != '"')
            return false;
        const char *ks = p + 1, *ke = resume_string_end(p, e);
        if (!ke)
            return false;
        p = resume_ws(ke, e);
        if (p >= e || *p++ != ':')
            return false;
        const char *vs = resume_ws(p, e), *ve = resume_value_end(vs, e, 0);
        if (!ve)
            return false;
        fn(arg, ks, (size_t)(ke - 1 - ks), (struct resume_span){vs, (size_t)(ve - vs)});
        p = resume_ws(ve, e);
        if (p < e && *p == ',') {
            p = resume_ws(p + 1, e);
            continue;
        }
        return p < e && *p == '}' && resume_ws(p + 1, e) == e;
    }
}

/* What one record says about its request. */
struct resume_rec {
    struct resume_span id, method, url, ok, error, timestamp, kind;
};

static void resume_top(void *arg, const char *k, size_t n, struct resume_span v)
{
    struct resume_rec *rec = arg;
    struct {
        const char *name;
        struct resume_span *dst;
    } want[] = {{"id", &rec->id}, {"method", &rec->method}, {"url", &rec->url},
                {"ok", &rec->ok}, {"error", &rec->error},   {"timestamp", &rec->timestamp}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strlen(want[i].name) == n && memcmp(want[i].name, k, n) == 0)
            *want[i].dst = v;
}

static void resume_error_key(void *arg, const char *k, size_t n, struct resume_span v)
{
    struct resume_rec *rec = arg;
    if (n == 4 && memcmp(k, "kind", 4) == 0)
        rec->kind = v;
}

/* Is REC final under OPT? */
static bool resume_final(const struct resume_rec *rec, const struct resume_options *opt)
{
    if (opt->failed_only && !resume_is(&rec->ok, "true"))
        return false;
    if (resume_is(&rec->kind, "\"cancelled\""))
        return false;
    if (opt->max_age_ms >= 0) {
        int64_t t;
        if (rec->timestamp.n < 2 || rec->timestamp.p[0] != '"' ||
            !clock_parse_rfc3339(rec->timestamp.p + 1, rec->timestamp.n - 2, &t) ||
            t < opt->now_wall_ms - opt->max_age_ms)
            return false;
    }
    return true;
}

/* The request key from a record's spans (the same bytes resume_key makes). */
static void resume_key_spans(struct buf *key, const struct resume_rec *rec)
{
    buf_clear(key);
    if (rec->id.n) {
        buf_add(key, "id ", 3);
        buf_add(key, rec->id.p, rec->id.n);
    } else {
        buf_add(key, rec->method.p, rec->method.n);
        buf_addc(key, ' ');
        buf_add(key, rec->url.p, rec->url.n);
    }
}

void resume_key(struct buf *key, const char *id_json, const char *method, const char *url)
{
    buf_clear(key);
    if (id_json) {
        buf_add(key, "id ", 3);
        buf_adds(key, id_json);
        return;
    }
    text_json_string(key, method, strlen(method));
    buf_addc(key, ' ');
    text_json_string(key, url, strlen(url));
}

/* ---- loading ----------------------------------------------------------- */

struct resume_load_state {
    struct resume *r;
    const struct resume_options *opt;
    struct buf key;
    uint64_t not_records;
};

static void resume_line(struct resume_load_state *st, const char *p, size_t n)
{
    while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n == 0)
        return;
    struct resume_rec rec;
    memset(&rec, 0, sizeof rec);
    if (!resume_object(p, p + n, resume_top, &rec) ||
        (!rec.id.n && (!rec.method.n || !rec.url.n)) || (rec.method.n && rec.method.p[0] != '"') ||
        (rec.url.n && rec.url.p[0] != '"')) {
        st->not_records++;
        return;
    }
    if (rec.error.n && rec.error.p[0] == '{')
        resume_object(rec.error.p, rec.error.p + rec.error.n, resume_error_key, &rec);
    if (!resume_final(&rec, st->opt))
        return;
    resume_key_spans(&st->key, &rec);
    struct resume *r = st->r;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap + r->cap / 2 : 1024;
        r->fp = log_realloc(r->fp, r->cap * sizeof *r->fp);
    }
    r->fp[r->n++] = resume_fingerprint(r, st->key.p, st->key.len);
}

static bool resume_file(struct resume_load_state *st, const char *name, struct buf *err)
{
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        buf_addf(err, "cannot read --resume %s: %s", name, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (S_ISDIR(sb.st_mode)) {
        buf_addf(err, "cannot read --resume %s: Is a directory", name);
        close(fd);
        return false;
    }
    struct resume *r = st->r;
    r->files = log_realloc(r->files, (r->nfiles + 1) * sizeof *r->files);
    struct resume_file *f = &r->files[r->nfiles++];
    *f = (struct resume_file){sb.st_dev, sb.st_ino, false};
    /* read up to the size at start: records appended by this run are not ours */
    off_t left = S_ISREG(sb.st_mode) ? sb.st_size : (off_t)1 << 62;
    size_t cap = 1 << 20, have = 0;
    char *chunk = log_malloc(cap);
    st->not_records = 0;
    bool ok = true;
    for (;;) {
        size_t want = cap - have;
        if ((off_t)want > left)
            want = (size_t)left;
        ssize_t got = want ? read(fd, chunk + have, want) : 0;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            buf_addf(err, "cannot read --resume %s: %s", name, strerror(errno));
            ok = false;
            break;
        }
        left -= got;
        have += (size_t)got;
        size_t start = 0;
        for (char *nl; (nl = memchr(chunk + start, '\n', have - start));) {
            resume_line(st, chunk + start, (size_t)(nl - chunk - start));
            start = (size_t)(nl - chunk) + 1;
        }
        memmove(chunk, chunk + start, have - start);
        have -= start;
        if (got == 0 || left == 0) {
            if (have > 0) {
                f->torn = true;
                log_warn("--resume %s: its last line is incomplete (a run cut short?); ignored",
                         name);
            }
            break;
        }
        if (have == cap) { /* one line longer than the buffer: grow */
            cap *= 2;
            chunk = log_realloc(chunk, cap);
        }
    }
    if (ok && st->not_records)
        log_warn("--resume %s: %llu line%s not volley JSON records; ignored", name,
                 (unsigned long long)st->not_records, st->not_records == 1 ? " is" : "s are");
    free(chunk);
    close(fd);
    return ok;
}

struct resume *resume_load(char *const *files, size_t n, const struct resume_options *opt,
                           struct buf *err)
{
    struct resume *r = log_calloc(1, sizeof *r);
    r->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    r->ctx = EVP_MD_CTX_new();
    if (!r->md5 || !r->ctx)
        log_die(LOG_EXIT_INTERNAL, "MD5 is not available from libcrypto");
    struct resume_load_state st = {.r = r, .opt = opt};
    for (size_t i = 0; i < n; i++)
        if (!resume_file(&st, files[i], err)) {
            buf_free(&st.key);
            resume_free(r);
            return NULL;
        }
    buf_free(&st.key);
    resume_sort(r->fp, r->n);
    size_t u = 0;
    for (size_t i = 0; i < r->n; i++)
        if (u == 0 || resume_cmp(&r->fp[u - 1], &r->fp[i]) != 0)
            r->fp[u++] = r->fp[i];
    r->n = u;
    if (r->n < r->cap) { /* keep 16 bytes per key, not the growth slack */
        r->fp = log_realloc(r->fp, (r->n ? r->n : 1) * sizeof *r->fp);
        r->cap = r->n;
    }
    return r;
}

void resume_free(struct resume *r)
{
    if (!r)
        return;
    EVP_MD_CTX_free(r->ctx);
    EVP_MD_free(r->md5);
    free(r->fp);
    free(r->files);
    free(r);
}

size_t resume_count(const struct resume *r)
{
    return r->n;
}

bool resume_done(const struct resume *r, const char *key, size_t len)
{
    if (r->n == 0)
        return false;
    struct resume_fp f = resume_fingerprint(r, key, len);
    return bsearch(&f, r->fp, r->n, sizeof *r->fp, resume_cmp) != NULL;
}

bool resume_needs_newline(const struct resume *r, int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return false;
    for (size_t i = 0; i < r->nfiles; i++)
        if (r->files[i].dev == sb.st_dev && r->files[i].ino == sb.st_ino)
            return r->files[i].torn;
    return false;
}
