/* report: aggregates every record into counts and log-linear latency
 * histograms (overall and per host, in bounded memory) for the run summary,
 * and streams the --report files: JUnit XML and Markdown through a temporary
 * file or a capped buffer (their totals come first), TAP and JSON directly. */
#include "report.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- latency histograms ------------------------------------------------- */

/* Log-linear buckets over microseconds: values below 2^BITS each have their
 * own bucket, then every power of two up to 2^REPORT_HIST_TOP (about 1074 s)
 * is split into 2^BITS equal buckets; larger values share the last one. A
 * bucket spans at most 1/2^BITS of its lower bound, and its middle is
 * reported, so the error is at most 1/2^(BITS+1): 0.8 % for the overall
 * histogram, 6.3 % for the per-host ones. */
#define REPORT_HIST_TOP 30
#define REPORT_FINE_BITS 6
#define REPORT_COARSE_BITS 3

struct report_hist {
    unsigned bits;
    uint64_t *counts; /* report_hist_size(bits), allocated on first use */
    uint64_t n;
    int64_t min, max;
    double sum;
};

static size_t report_hist_size(unsigned bits)
{
    return (size_t)(REPORT_HIST_TOP + 1 - bits) << bits;
}

static size_t report_hist_index(unsigned bits, uint64_t v)
{
    uint64_t sub = (uint64_t)1 << bits;
    if (v < sub)
        return (size_t)v;
    if (v >> REPORT_HIST_TOP)
        v = ((uint64_t)1 << REPORT_HIST_TOP) - 1;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* bits <= e < REPORT_HIST_TOP */
    return ((size_t)(e - bits + 1) << bits) + (size_t)((v >> (e - bits)) - sub);
}

/* The middle of bucket IDX. */
static uint64_t report_hist_value(unsigned bits, size_t idx)
{
    size_t octave = idx >> bits;
    if (octave == 0)
        return idx;
    unsigned shift = (unsigned)octave - 1;
    uint64_t sub = (uint64_t)1 << bits;
    uint64_t lo = (sub + (idx & (sub - 1))) << shift;
    return lo + (((uint64_t)1 << shift) - 1) / 2;
}

static void report_hist_add(struct report_hist *h, int64_t usec)
{
    if (usec < 0)
        usec = 0;
    if (!h->counts)
        h->counts = log_calloc(report_hist_size(h->bits), sizeof *h->counts);
    h->counts[report_hist_index(h->bits, (uint64_t)usec)]++;
    if (!h->n || usec < h->min)
        h->min = usec;
    if (!h->n || usec > h->max)
        h->max = usec;
    h->n++;
    h->sum += (double)usec;
}

/* Nearest-rank percentile: the smallest value with at least PERMILLE/1000
 * of the values at or below it. -1 when empty. */
static int64_t report_hist_quantile(const struct report_hist *h, unsigned permille)
{
    if (!h->n)
        return -1;
    if (permille >= 1000)
        return h->max;
    uint64_t rank = (h->n * permille + 999) / 1000;
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    size_t size = report_hist_size(h->bits);
    for (size_t i = 0; i < size; i++) {
        seen += h->counts[i];
        if (seen < rank)
            continue;
        uint64_t v = report_hist_value(h->bits, i);
        if ((int64_t)v < h->min)
            return h->min;
        if ((int64_t)v > h->max)
            return h->max;
        return (int64_t)v;
    }
    return h->max;
}

/* ---- the report --------------------------------------------------------- */

/* Hosts tracked one by one; the rest are counted together as "(other)". */
#define REPORT_HOSTS_MAX 1024
#define REPORT_HOST_SLOTS 2048 /* open addressing, a power of two > max */
#define REPORT_HOST_LEN 255
#define REPORT_SLOWEST 3

/* Markdown: the failures table lists this many, with cells cut to so many
 * bytes, so its buffer stays small. */
#define REPORT_MD_ROWS 100
#define REPORT_MD_CELL 200

enum report_type { REPORT_JUNIT, REPORT_TAP, REPORT_MARKDOWN, REPORT_JSON, REPORT__COUNT };
static const char *const report_type_names[REPORT__COUNT] = {"junit", "tap", "markdown", "json"};

/* Status classes: none (no response), 1xx .. 5xx, and anything else. */
enum { REPORT_STATUS_NONE = 0, REPORT_STATUS_OTHER = 6, REPORT_STATUS__COUNT = 7 };
static const char *const report_status_names[REPORT_STATUS__COUNT] = {"none", "1xx", "2xx",  "3xx",
                                                                      "4xx",  "5xx", "other"};
/* The order they are shown in. */
static const int report_status_order[REPORT_STATUS__COUNT] = {1, 2, 3, 4, 5, 6, 0};

struct report_host {
    char *name;
    struct report_hist h;
};

struct report_file {
    enum report_type type;
    char *path;
    FILE *out; /* the target */
    FILE *tmp; /* JUnit: the testcases so far (an unlinked temporary file) */
    uint64_t n, failures, errors, skipped;
    struct buf rows; /* Markdown: the failures table's rows */
    uint64_t nrows, more;
};

struct report {
    struct report_file *files;
    size_t nfiles;
    bool begun; /* the files were emptied and their headers written */

    uint64_t records;
    uint64_t status[REPORT_STATUS__COUNT];
    uint64_t bytes;
    struct report_hist lat;

    struct report_host *hosts; /* REPORT_HOSTS_MAX, allocated on first use */
    size_t nhosts;
    uint16_t slots[REPORT_HOST_SLOTS]; /* index into hosts + 1; 0: free */
    struct report_host other;

    struct buf line, text; /* scratch */
};

struct report *report_new(void)
{
    struct report *r = log_calloc(1, sizeof *r);
    r->lat.bits = REPORT_FINE_BITS;
    r->other.name = log_strdup("(other)");
    r->other.h.bits = REPORT_COARSE_BITS;
    return r;
}

static void report_file_close(struct report_file *f)
{
    if (f->tmp)
        fclose(f->tmp);
    if (f->out)
        fclose(f->out);
    f->tmp = f->out = NULL;
}

void report_free(struct report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfiles; i++) {
        report_file_close(&r->files[i]);
        free(r->files[i].path);
        buf_free(&r->files[i].rows);
    }
    free(r->files);
    for (size_t i = 0; i < r->nhosts; i++) {
        free(r->hosts[i].name);
        free(r->hosts[i].h.counts);
    }
    free(r->hosts);
    free(r->other.name);
    free(r->other.h.counts);
    free(r->lat.counts);
    buf_free(&r->line);
    buf_free(&r->text);
    free(r);
}

/* ---- strings ------------------------------------------------------------ */

static const char report_fffd[] = "\xEF\xBF\xBD";

/* Decode the character at S (N > 0 bytes left) into *CP and return its
 * length; invalid UTF-8 gives U+FFFD and length 1. */
static size_t report_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len = output_utf8_decode(s, n, cp);
    if (len)
        return len;
    *cp = 0xFFFD;
    return 1;
}

static bool report_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

/* The escapers share one loop over S (LEN bytes) into DST: characters that
 * pass unchanged (KEEP, an expression of the byte c, says which ASCII ones;
 * above ASCII, valid UTF-8 but controls, U+FEFF, U+FFFD, U+FFFE, U+FFFF)
 * accumulate in a run copied at once. The statements after KEEP write any
 * other character: its code point is cp (U+FFFD for an invalid byte, then
 * n_ == 1), its n_ bytes are at s + i_. */
#define REPORT_ESCAPE_LOOP(keep, ...)                                                              \
    do {                                                                                           \
        const unsigned char *u_ = (const unsigned char *)s;                                        \
        size_t run_ = 0, i_ = 0;                                                                   \
        while (i_ < len) {                                                                         \
            unsigned c = u_[i_];                                                                   \
            if (c < 0x80 && (keep)) {                                                              \
                i_++;                                                                              \
                continue;                                                                          \
            }                                                                                      \
            uint32_t cp;                                                                           \
            size_t n_ = report_utf8(u_ + i_, len - i_, &cp);                                       \
            if (c >= 0x80 && cp != 0xFFFD && !report_is_control(cp) && cp != 0xFEFF &&             \
                cp != 0xFFFE && cp != 0xFFFF) {                                                    \
                i_ += n_;                                                                          \
                continue;                                                                          \
            }                                                                                      \
            buf_add(dst, s + run_, i_ - run_);                                                     \
            __VA_ARGS__                                                                            \
            i_ += n_;                                                                              \
            run_ = i_;                                                                             \
        }                                                                                          \
        buf_add(dst, s + run_, len - run_);                                                        \
    } while (0)

void report_xml_string(struct buf *dst, const char *s, size_t len, bool attr)
{
    buf_reserve(dst, len);
    REPORT_ESCAPE_LOOP(c >= 0x20 && c != '&' && c != '<' && c != '>' && (c != '"' || !attr), {
        switch (cp) {
        case '&':
            buf_adds(dst, "&amp;");
            break;
        case '<':
            buf_adds(dst, "&lt;");
            break;
        case '>':
            buf_adds(dst, "&gt;");
            break;
        case '"':
            buf_adds(dst, "&quot;");
            break;
        case '\t':
            buf_adds(dst, attr ? "&#9;" : "\t");
            break;
        case '\n':
            buf_adds(dst, attr ? "&#10;" : "\n");
            break;
        case '\r':
            buf_adds(dst, "&#13;"); /* else a parser reads it as \n */
            break;
        default:
            /* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
             * | [#x10000-#x10FFFF]; surrogates never decode. The rest
             * (C0 controls, U+FFFE, U+FFFF) is dropped. */
            if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
                break;
            if (n_ == 1)
                buf_add(dst, report_fffd, 3);
            else
                buf_add(dst, s + i_, n_);
        }
    });
}

/* For the Markdown and TAP escapers: a control character becomes a space,
 * other ASCII a backslash escape, an invalid byte (N == 1 above ASCII)
 * U+FFFD, anything else its N bytes at P as they are. */
static void report_backslash_char(struct buf *dst, uint32_t cp, const char *p, size_t n)
{
    if (report_is_control(cp))
        buf_addc(dst, ' ');
    else if (cp < 0x80)
        buf_add(dst, (char[]){'\\', (char)cp}, 2);
    else if (n == 1)
        buf_add(dst, report_fffd, 3);
    else
        buf_add(dst, p, n);
}

void report_md_cell(struct buf *dst, const char *s, size_t len, size_t max)
{
    size_t full = len;
    if (len > max) {
        /* cut on a character boundary at or after MAX bytes */
        while (max < len && ((unsigned char)s[max] & 0xC0) == 0x80)
            max++;
        len = max;
    }
    REPORT_ESCAPE_LOOP(c >= 0x20 && c != 0x7F && !strchr("\\`*_[]<>|~&$", (int)c),
                       { report_backslash_char(dst, cp, s + i_, n_); });
    if (len < full)
        buf_adds(dst, "\xE2\x80\xA6"); /* … */
}

void report_tap_desc(struct buf *dst, const char *s, size_t len)
{
    REPORT_ESCAPE_LOOP(c >= 0x20 && c != 0x7F && c != '#' && c != '\\',
                       { report_backslash_char(dst, cp, s + i_, n_); });
}

void report_yaml_string(struct buf *dst, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    buf_addc(dst, '"');
    REPORT_ESCAPE_LOOP(c >= 0x20 && c != 0x7F && c != '"' && c != '\\', {
        if (cp == '"' || cp == '\\')
            buf_add(dst, (char[]){'\\', (char)cp}, 2);
        else if (cp == '\t')
            buf_adds(dst, "\\t");
        else if (cp == '\n')
            buf_adds(dst, "\\n");
        else if (cp == '\r')
            buf_adds(dst, "\\r");
        else if (cp <= 0xFF)
            buf_add(dst, (char[]){'\\', 'x', hex[cp >> 4], hex[cp & 15]}, 4);
        else if (cp == 0xFFFD && n_ == 1)
            buf_add(dst, report_fffd, 3);
        else if (cp == 0xFFFD)
            buf_add(dst, s + i_, n_);
        else
            buf_addf(dst, "\\u%04X", (unsigned)cp); /* not printable in YAML */
    });
    buf_addc(dst, '"');
}

static void report_nul(struct buf *dst, void (*esc)(struct buf *, const char *, size_t),
                       const char *s)
{
    esc(dst, s ? s : "", s ? strlen(s) : 0);
}

/* Durations for people: three significant digits, ms below a second. */
static void report_dur(struct buf *dst, int64_t usec)
{
    double ms = (double)usec / 1000.0;
    if (usec < 0)
        buf_adds(dst, "-");
    else if (ms < 9.995)
        buf_addf(dst, "%.2fms", ms);
    else if (ms < 99.95)
        buf_addf(dst, "%.1fms", ms);
    else if (ms < 999.5)
        buf_addf(dst, "%.0fms", ms);
    else if (ms < 9995)
        buf_addf(dst, "%.2fs", ms / 1000);
    else if (ms < 99950)
        buf_addf(dst, "%.1fs", ms / 1000);
    else
        buf_addf(dst, "%.0fs", ms / 1000);
}

/* Byte counts for people, in SI units. */
static void report_bytes(struct buf *dst, uint64_t n)
{
    static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    if (n < 1000) {
        buf_add_u64(dst, n);
        buf_adds(dst, " B");
        return;
    }
    double v = (double)n / 1000;
    size_t u = 0;
    while (v >= 999.95 && u + 1 < sizeof unit / sizeof unit[0]) {
        v /= 1000;
        u++;
    }
    buf_addf(dst, "%.1f %s", v, unit[u]);
}

static double report_rate(const struct output_summary *s)
{
    double secs = (double)s->elapsed_us / 1e6;
    return secs > 0 ? (double)s->urls / secs : 0.0;
}

/* ---- per record --------------------------------------------------------- */

/* The host[:port] of URL, lowercased and without a default port, into OUT
 * (REPORT_HOST_LEN + 1 bytes); its length, 0 when URL has none. */
static size_t report_host_of(const char *url, char *out)
{
    const char *sep = url ? strstr(url, "://") : NULL;
    if (!sep)
        return 0;
    const char *h = sep + 3;
    size_t n = strcspn(h, "/?#");
    for (size_t i = n; i > 0; i--) {
        if (h[i - 1] == '@') { /* user info */
            n -= i;
            h += i;
            break;
        }
    }
    if (n > REPORT_HOST_LEN)
        n = REPORT_HOST_LEN;
    for (size_t i = 0; i < n; i++)
        out[i] = (h[i] >= 'A' && h[i] <= 'Z') ? (char)(h[i] - 'A' + 'a') : h[i];
    out[n] = '\0';
    size_t scheme = (size_t)(sep - url);
    const char *colon = strrchr(out, ':');
    if (colon && !strchr(colon, ']')) {
        if ((scheme == 4 && !strncasecmp(url, "http", 4) && !strcmp(colon, ":80")) ||
            (scheme == 5 && !strncasecmp(url, "https", 5) && !strcmp(colon, ":443")))
            n = (size_t)(colon - out);
    }
    out[n] = '\0';
    return n;
}

static struct report_host *report_host_get(struct report *r, const char *name, size_t len)
{
    uint64_t hash = 14695981039346656037u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (unsigned char)name[i]) * 1099511628211u;
    size_t mask = REPORT_HOST_SLOTS - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        if (!r->slots[i]) {
            if (r->nhosts == REPORT_HOSTS_MAX)
                return &r->other;
            if (!r->hosts)
                r->hosts = log_calloc(REPORT_HOSTS_MAX, sizeof *r->hosts);
            struct report_host *h = &r->hosts[r->nhosts++];
            h->name = log_strndup(name, len);
            h->h.bits = REPORT_COARSE_BITS;
            r->slots[i] = (uint16_t)r->nhosts;
            return h;
        }
        struct report_host *h = &r->hosts[r->slots[i] - 1];
        if (!strncmp(h->name, name, len) && h->name[len] == '\0')
            return h;
    }
}

/* How many hosts there are to rank ("(other)" counts as one). */
static size_t report_nhosts(const struct report *r)
{
    return r->nhosts + (r->other.h.n > 0);
}

/* Up to REPORT_SLOWEST hosts by p90 (then max, then name), into OUT; how
 * many. */
static size_t report_slowest(const struct report *r, const struct report_host **out)
{
    size_t k = 0;
    int64_t p90[REPORT_SLOWEST];
    for (size_t i = 0; i <= r->nhosts; i++) {
        const struct report_host *h = i < r->nhosts ? &r->hosts[i] : &r->other;
        if (!h->h.n)
            continue;
        int64_t v = report_hist_quantile(&h->h, 900);
        size_t at = k;
        while (at > 0 && (v > p90[at - 1] ||
                          (v == p90[at - 1] && (h->h.max > out[at - 1]->h.max ||
                                                (h->h.max == out[at - 1]->h.max &&
                                                 strcmp(h->name, out[at - 1]->name) < 0)))))
            at--;
        if (at >= REPORT_SLOWEST)
            continue;
        size_t last = k < REPORT_SLOWEST ? k : REPORT_SLOWEST - 1;
        for (size_t j = last; j > at; j--) {
            out[j] = out[j - 1];
            p90[j] = p90[j - 1];
        }
        out[at] = h;
        p90[at] = v;
        if (k < REPORT_SLOWEST)
            k++;
    }
    return k;
}

static bool report_timed(const struct record *rec)
{
    return rec->attempts > 0 && rec->kind != KIND_INPUT && rec->kind != KIND_CANCELLED;
}

static enum record_kind report_kind(const struct record *rec)
{
    return (unsigned)rec->kind < KIND__COUNT ? rec->kind : KIND_OTHER;
}

/* A failed check, {"check":"status","expected":"200","actual":"404"}, as
 * "status: expected 200, actual 404". */
static void report_check_text(struct buf *dst, const cJSON *c)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "check");
    if (!cJSON_IsObject(c)) {
        char *p = cJSON_PrintUnformatted(c);
        buf_adds(dst, p ? p : "?");
        free(p);
        return;
    }
    buf_adds(dst, cJSON_IsString(name) ? name->valuestring : "check");
    bool first = true;
    for (const cJSON *m = c->child; m; m = m->next) {
        if (m == name)
            continue;
        buf_adds(dst, first ? ": " : ", ");
        first = false;
        buf_adds(dst, m->string ? m->string : "?");
        buf_addc(dst, ' ');
        if (cJSON_IsString(m)) {
            buf_adds(dst, m->valuestring);
        } else {
            char *p = cJSON_PrintUnformatted(m);
            buf_adds(dst, p ? p : "?");
            free(p);
        }
    }
}

/* The failed checks of REC, parsed (caller frees with cJSON_Delete), or
 * NULL. */
static cJSON *report_checks(const struct record *rec)
{
    if (!rec->checks_json)
        return NULL;
    cJSON *a = cJSON_Parse(rec->checks_json);
    if (!cJSON_IsArray(a) || !a->child) {
        cJSON_Delete(a);
        return NULL;
    }
    return a;
}

/* Why REC failed, without its kind: the error message, else the failed
 * checks, else the status. */
static void report_reason(struct buf *dst, const struct record *rec, const cJSON *checks)
{
    if (rec->error_message && rec->error_message[0]) {
        buf_adds(dst, rec->error_message);
    } else if (checks) {
        for (const cJSON *c = checks->child; c; c = c->next) {
            if (c != checks->child)
                buf_adds(dst, "; ");
            report_check_text(dst, c);
        }
    } else if (rec->http_code > 0) {
        buf_addf(dst, "HTTP %ld", rec->http_code);
    }
}

/* "kind: reason", or "kind" alone. */
static void report_message(struct buf *dst, const struct record *rec, const cJSON *checks)
{
    buf_adds(dst, record_kind_name(report_kind(rec)));
    size_t at = dst->len;
    buf_adds(dst, ": ");
    size_t before = dst->len;
    report_reason(dst, rec, checks);
    if (dst->len == before) {
        dst->len = at;
        buf_str(dst);
    }
}

/* A YAML mapping key: bare when it is a plain word, else quoted. */
static void report_yaml_key(struct buf *dst, const char *key)
{
    size_t n = strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
    if (n && !key[n] && key[0] != '-')
        buf_adds(dst, key);
    else
        report_yaml_string(dst, key, strlen(key));
}

/* The record's fields that explain a failure, as "key: value" lines for
 * JUnit (YAML=false) or YAML lines indented by two spaces for TAP. */
static void report_details(struct buf *dst, const struct record *rec, const cJSON *checks,
                           bool yaml)
{
    const char *ind = yaml ? "  " : "";
#define STR(key, v)                                                                                \
    do {                                                                                           \
        if (v) {                                                                                   \
            buf_adds(dst, ind);                                                                    \
            buf_adds(dst, key ": ");                                                               \
            if (yaml)                                                                              \
                report_yaml_string(dst, v, strlen(v));                                             \
            else                                                                                   \
                buf_adds(dst, v);                                                                  \
            buf_addc(dst, '\n');                                                                   \
        }                                                                                          \
    } while (0)
    STR("kind", record_kind_name(report_kind(rec)));
    STR("message", rec->error_message);
    STR("input", rec->input);
    STR("method", rec->method);
    STR("url", rec->url);
    if (rec->url_effective && (!rec->url || strcmp(rec->url, rec->url_effective)))
        STR("url_effective", rec->url_effective);
    buf_addf(dst, "%shttp_code: %ld\n", ind, rec->http_code);
    if (rec->kind != KIND_NONE && rec->error_code >= 0)
        buf_addf(dst, "%serror_code: %ld\n", ind, rec->error_code);
    buf_addf(dst, "%sattempts: %ld\n", ind, rec->attempts);
    buf_addf(dst, "%stime_total: ", ind);
    buf_add_secs(dst, rec->time_total, 6);
    buf_addc(dst, '\n');
    STR("remote_ip", rec->remote_ip);
    STR("id", rec->id_json);
#undef STR
    if (!checks)
        return;
    buf_adds(dst, yaml ? "  checks:\n" : "checks:\n");
    for (const cJSON *c = checks->child; c; c = c->next) {
        if (!yaml) {
            buf_adds(dst, "  - ");
            report_check_text(dst, c);
            buf_addc(dst, '\n');
            continue;
        }
        if (!cJSON_IsObject(c) || !c->child) {
            char *p = cJSON_PrintUnformatted(c);
            buf_adds(dst, "    - ");
            report_yaml_string(dst, p ? p : "", p ? strlen(p) : 0);
            buf_addc(dst, '\n');
            free(p);
            continue;
        }
        for (const cJSON *m = c->child; m; m = m->next) {
            buf_adds(dst, m == c->child ? "    - " : "      ");
            report_yaml_key(dst, m->string ? m->string : "");
            buf_adds(dst, ": ");
            if (cJSON_IsString(m)) {
                report_yaml_string(dst, m->valuestring, strlen(m->valuestring));
            } else if (cJSON_IsNumber(m) || cJSON_IsBool(m)) {
                char *p = cJSON_PrintUnformatted(m);
                buf_adds(dst, p ? p : "~");
                free(p);
            } else if (cJSON_IsNull(m)) {
                buf_addc(dst, '~');
            } else {
                char *p = cJSON_PrintUnformatted(m);
                report_yaml_string(dst, p ? p : "", p ? strlen(p) : 0);
                free(p);
            }
            buf_addc(dst, '\n');
        }
    }
}

/* JUnit classname: the input file ("FILE" of "FILE:LINE"), "stdin" for
 * "-", "volley" for --url. */
static void report_classname(struct buf *dst, const char *input)
{
    const char *colon = input ? strrchr(input, ':') : NULL;
    size_t n = colon ? (size_t)(colon - input) : 0;
    if (!n || (n == 3 && !strncmp(input, "arg", 3)))
        buf_adds(dst, "volley");
    else if (n == 1 && input[0] == '-')
        buf_adds(dst, "stdin");
    else
        report_xml_string(dst, input, n, true);
}

static void report_junit_case(struct report *r, struct report_file *f, const struct record *rec,
                              const cJSON *checks)
{
    struct buf *b = &r->line;
    buf_adds(b, "    <testcase name=\"");
    if (rec->url)
        report_xml_string(b, rec->url, strlen(rec->url), true);
    buf_adds(b, "\" classname=\"");
    report_classname(b, rec->input);
    buf_adds(b, "\" time=\"");
    buf_add_secs(b, rec->time_total > 0 ? rec->time_total : 0, 3);
    buf_addc(b, '"');
    f->n++;
    if (rec->ok) {
        buf_adds(b, "/>\n");
        return;
    }
    buf_clear(&r->text);
    report_message(&r->text, rec, checks);
    if (rec->kind == KIND_CANCELLED) {
        f->skipped++;
        buf_adds(b, ">\n      <skipped message=\"");
        report_xml_string(b, r->text.p, r->text.len, true);
        buf_adds(b, "\"/>\n    </testcase>\n");
        return;
    }
    /* A wrong answer is a failure; no answer (could not fetch) an error. */
    bool failure = rec->kind == KIND_HTTP || rec->kind == KIND_CHECK || rec->kind == KIND_NONE;
    const char *elem = failure ? "failure" : "error";
    if (failure)
        f->failures++;
    else
        f->errors++;
    buf_addf(b, ">\n      <%s message=\"", elem);
    report_xml_string(b, r->text.p, r->text.len, true);
    buf_adds(b, "\" type=\"");
    buf_adds(b, record_kind_name(report_kind(rec)));
    buf_adds(b, "\">");
    buf_clear(&r->text);
    report_details(&r->text, rec, checks, false);
    report_xml_string(b, r->text.p, r->text.len, false);
    buf_addf(b, "</%s>\n    </testcase>\n", elem);
}

static void report_tap_line(struct report *r, struct report_file *f, const struct record *rec,
                            const cJSON *checks)
{
    struct buf *b = &r->line;
    f->n++;
    bool skip = !rec->ok && rec->kind == KIND_CANCELLED;
    buf_adds(b, rec->ok || skip ? "ok " : "not ok ");
    buf_add_u64(b, f->n);
    buf_adds(b, " - ");
    report_nul(b, report_tap_desc, rec->url);
    if (rec->ok)
        buf_addc(b, '\n');
    else if (skip) {
        f->skipped++;
        buf_adds(b, " # SKIP ");
        buf_clear(&r->text);
        report_message(&r->text, rec, checks);
        report_tap_desc(b, r->text.p, r->text.len);
        buf_addc(b, '\n');
    } else {
        f->failures++;
        buf_adds(b, "\n  ---\n");
        report_details(b, rec, checks, true);
        buf_adds(b, "  ...\n");
    }
}

static void report_md_row(struct report *r, struct report_file *f, const struct record *rec,
                          const cJSON *checks)
{
    if (rec->ok || rec->kind == KIND_CANCELLED)
        return; /* cancelled URLs are counted, not listed */
    if (f->nrows == REPORT_MD_ROWS) {
        f->more++;
        return;
    }
    f->nrows++;
    struct buf *b = &f->rows;
    buf_adds(b, "| ");
    if (rec->input)
        report_md_cell(b, rec->input, strlen(rec->input), REPORT_MD_CELL);
    buf_adds(b, " | ");
    if (rec->url)
        report_md_cell(b, rec->url, strlen(rec->url), REPORT_MD_CELL);
    buf_adds(b, " | ");
    if (rec->http_code > 0)
        buf_addf(b, "%ld", rec->http_code);
    else
        buf_adds(b, "ERR");
    buf_adds(b, " | ");
    buf_adds(b, record_kind_name(report_kind(rec)));
    buf_adds(b, " | ");
    buf_clear(&r->text);
    report_reason(&r->text, rec, checks);
    report_md_cell(b, r->text.p ? r->text.p : "", r->text.len, REPORT_MD_CELL);
    buf_adds(b, " |\n");
}

static void report_begin(struct report *r);

void report_record(struct report *r, const struct record *rec)
{
    report_begin(r);
    r->records++;
    long code = rec->http_code;
    r->status[code <= 0                    ? REPORT_STATUS_NONE
              : code >= 100 && code <= 599 ? code / 100
                                           : REPORT_STATUS_OTHER]++;
    if (rec->size_download > 0)
        r->bytes += (uint64_t)rec->size_download;
    if (report_timed(rec)) {
        report_hist_add(&r->lat, rec->time_total);
        char host[REPORT_HOST_LEN + 1];
        size_t n = report_host_of(rec->url ? rec->url : rec->url_effective, host);
        if (n)
            report_hist_add(&report_host_get(r, host, n)->h, rec->time_total);
    }
    if (!r->nfiles)
        return;

    cJSON *checks = rec->ok ? NULL : report_checks(rec);
    for (size_t i = 0; i < r->nfiles; i++) {
        struct report_file *f = &r->files[i];
        if (!f->out)
            continue; /* finished */
        buf_clear(&r->line);
        switch (f->type) {
        case REPORT_JUNIT:
            report_junit_case(r, f, rec, checks);
            fwrite(r->line.p, 1, r->line.len, f->tmp);
            break;
        case REPORT_TAP:
            report_tap_line(r, f, rec, checks);
            fwrite(r->line.p, 1, r->line.len, f->out);
            break;
        case REPORT_MARKDOWN:
            report_md_row(r, f, rec, checks);
            break;
        case REPORT_JSON:
        case REPORT__COUNT:
            break;
        }
    }
    cJSON_Delete(checks);
}

/* ---- the summary -------------------------------------------------------- */

/* The failed kinds, most frequent first: "7 http, 2 timeout". */
static void report_kinds(struct buf *dst, const struct output_summary *s, const char *sep)
{
    bool done[KIND__COUNT] = {0};
    for (int round = 0; round < KIND__COUNT; round++) {
        int best = -1;
        for (int k = KIND_NONE + 1; k < KIND__COUNT; k++)
            if (!done[k] && s->by_kind[k] && (best < 0 || s->by_kind[k] > s->by_kind[best]))
                best = k;
        if (best < 0)
            return;
        done[best] = true;
        if (round)
            buf_adds(dst, sep);
        buf_add_u64(dst, s->by_kind[best]);
        buf_addc(dst, ' ');
        buf_adds(dst, record_kind_name((enum record_kind)best));
    }
}

static void report_statuses(struct buf *dst, const struct report *r)
{
    bool first = true;
    for (int i = 0; i < REPORT_STATUS__COUNT; i++) {
        int c = report_status_order[i];
        if (!r->status[c])
            continue;
        buf_adds(dst, first ? "" : ", ");
        first = false;
        buf_adds(dst, report_status_names[c]);
        buf_addc(dst, ' ');
        buf_add_u64(dst, r->status[c]);
    }
}

/* "N URLs in 2.31s (432.9 URLs/s), 4.1 MB received" */
static void report_headline(struct buf *dst, const struct report *r, const struct output_summary *s)
{
    buf_add_u64(dst, s->urls);
    buf_adds(dst, s->urls == 1 ? " URL in " : " URLs in ");
    buf_add_secs(dst, s->elapsed_us, 2);
    buf_addf(dst, "s (%.1f URLs/s), ", report_rate(s));
    report_bytes(dst, r->bytes);
    buf_adds(dst, " received");
}

void report_summary_text(const struct report *r, const struct output_summary *s, struct buf *dst)
{
    buf_adds(dst, "volley: ");
    report_headline(dst, r, s);
    buf_addc(dst, '\n');
    if (!s->urls)
        return;
    buf_adds(dst, "  ok ");
    buf_add_u64(dst, s->ok);
    buf_adds(dst, ", failed ");
    buf_add_u64(dst, s->failed);
    if (s->urls > s->ok) { /* the kinds of every record that did not pass */
        size_t at = dst->len;
        buf_adds(dst, ": ");
        size_t before = dst->len;
        report_kinds(dst, s, ", ");
        if (dst->len == before)
            dst->len = at;
    }
    buf_addc(dst, '\n');
    if (r->records) {
        buf_adds(dst, "  status: ");
        report_statuses(dst, r);
        buf_addc(dst, '\n');
    }
    if (r->lat.n) {
        buf_adds(dst, "  latency: p50 ");
        report_dur(dst, report_hist_quantile(&r->lat, 500));
        buf_adds(dst, ", p90 ");
        report_dur(dst, report_hist_quantile(&r->lat, 900));
        buf_adds(dst, ", p99 ");
        report_dur(dst, report_hist_quantile(&r->lat, 990));
        buf_adds(dst, ", max ");
        report_dur(dst, r->lat.max);
        buf_addc(dst, '\n');
    }
    if (report_nhosts(r) >= 2) {
        const struct report_host *slow[REPORT_SLOWEST];
        size_t n = report_slowest(r, slow);
        buf_adds(dst, "  slowest hosts (p90): ");
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_adds(dst, ", ");
            output_text_string(dst, slow[i]->name, strlen(slow[i]->name));
            buf_addc(dst, ' ');
            report_dur(dst, report_hist_quantile(&slow[i]->h, 900));
        }
        buf_addc(dst, '\n');
    }
}

static void report_json_secs(struct buf *dst, int64_t usec)
{
    if (usec < 0)
        buf_adds(dst, "null");
    else
        buf_add_secs(dst, usec, 6);
}

void report_summary_json(const struct report *r, const struct output_summary *s, struct buf *dst)
{
    output_summary_json(dst, s);
    if (dst->len && dst->p[dst->len - 1] == '}')
        dst->len--; /* reopen the object */
    buf_adds(dst, ",\"bytes\":");
    buf_add_u64(dst, r->bytes);
    buf_adds(dst, ",\"status\":{");
    bool first = true;
    for (int i = 0; i < REPORT_STATUS__COUNT; i++) {
        int c = report_status_order[i];
        if (!r->status[c])
            continue;
        buf_addf(dst, "%s\"%s\":", first ? "" : ",", report_status_names[c]);
        first = false;
        buf_add_u64(dst, r->status[c]);
    }
    buf_adds(dst, "},\"latency\":{\"count\":");
    buf_add_u64(dst, r->lat.n);
    buf_adds(dst, ",\"min\":");
    report_json_secs(dst, r->lat.n ? r->lat.min : -1);
    buf_adds(dst, ",\"mean\":");
    report_json_secs(dst, r->lat.n ? (int64_t)(r->lat.sum / (double)r->lat.n + 0.5) : -1);
    static const unsigned pm[] = {500, 900, 990};
    static const char *const pname[] = {"p50", "p90", "p99"};
    for (size_t i = 0; i < 3; i++) {
        buf_addf(dst, ",\"%s\":", pname[i]);
        report_json_secs(dst, report_hist_quantile(&r->lat, pm[i]));
    }
    buf_adds(dst, ",\"max\":");
    report_json_secs(dst, r->lat.n ? r->lat.max : -1);
    buf_adds(dst, "},\"hosts\":");
    buf_add_u64(dst, report_nhosts(r));
    buf_adds(dst, ",\"slowest_hosts\":[");
    const struct report_host *slow[REPORT_SLOWEST];
    size_t n = report_slowest(r, slow);
    for (size_t i = 0; i < n; i++) {
        buf_adds(dst, i ? ",{\"host\":" : "{\"host\":");
        output_json_string(dst, slow[i]->name, strlen(slow[i]->name));
        buf_adds(dst, ",\"count\":");
        buf_add_u64(dst, slow[i]->h.n);
        buf_adds(dst, ",\"p50\":");
        report_json_secs(dst, report_hist_quantile(&slow[i]->h, 500));
        buf_adds(dst, ",\"p90\":");
        report_json_secs(dst, report_hist_quantile(&slow[i]->h, 900));
        buf_adds(dst, ",\"max\":");
        report_json_secs(dst, slow[i]->h.max);
        buf_addc(dst, '}');
    }
    buf_adds(dst, "]}");
}

int64_t report_latency(const struct report *r, unsigned permille)
{
    return report_hist_quantile(&r->lat, permille);
}

/* ---- the files ---------------------------------------------------------- */

/* An unlinked temporary file in $TMPDIR (else /tmp), or NULL with errno. */
static FILE *report_tmpfile(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !dir[0])
        dir = "/tmp";
    struct buf path = {0};
    buf_addf(&path, "%s/volley-report-XXXXXX", dir);
    int fd = mkstemp(path.p);
    FILE *f = NULL;
    if (fd >= 0) {
        unlink(path.p);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        f = fdopen(fd, "w+");
        if (!f) {
            int e = errno;
            close(fd);
            errno = e;
        }
    }
    buf_free(&path);
    return f;
}

bool report_add(struct report *r, const char *spec, struct buf *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq) {
        buf_addf(err, "--report %s: expected KIND=FILE (KIND: junit, tap, markdown, json)", spec);
        return false;
    }
    size_t klen = (size_t)(eq - spec);
    int type = 0;
    while (type < REPORT__COUNT && (strlen(report_type_names[type]) != klen ||
                                    strncmp(report_type_names[type], spec, klen)))
        type++;
    if (type == REPORT__COUNT) {
        buf_addf(err, "--report %s: unknown kind '%.*s' (expected junit, tap, markdown or json)",
                 spec, (int)klen, spec);
        return false;
    }
    const char *path = eq + 1;
    if (!path[0]) {
        buf_addf(err, "--report %s: missing FILE after '='", spec);
        return false;
    }
    for (size_t i = 0; i < r->nfiles; i++) {
        if (!strcmp(r->files[i].path, path)) {
            buf_addf(err, "--report %s: %s is already a report file", spec, path);
            return false;
        }
    }
    /* not truncated yet: a later bad --report must leave this file as it was */
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        buf_addf(err, "--report %s: cannot open %s: %s", spec, path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        for (size_t i = 0; i < r->nfiles; i++) {
            struct stat other;
            if (fstat(fileno(r->files[i].out), &other) == 0 && other.st_dev == st.st_dev &&
                other.st_ino == st.st_ino) {
                buf_addf(err, "--report %s: %s is the same file as %s", spec, path,
                         r->files[i].path);
                close(fd);
                return false;
            }
        }
    }
    FILE *out = fdopen(fd, "w");
    if (!out) {
        buf_addf(err, "--report %s: cannot open %s: %s", spec, path, strerror(errno));
        close(fd);
        return false;
    }
    FILE *tmp = NULL;
    if (type == REPORT_JUNIT && !(tmp = report_tmpfile())) {
        buf_addf(err, "--report %s: cannot make a temporary file: %s", spec, strerror(errno));
        fclose(out);
        return false;
    }
    r->files = log_realloc(r->files, (r->nfiles + 1) * sizeof *r->files);
    r->files[r->nfiles++] = (struct report_file){
        .type = (enum report_type)type, .path = log_strdup(path), .out = out, .tmp = tmp};
    return true;
}

/* Once every --report was added: empty the files (opened without
 * truncating, so a bad later --report leaves earlier ones untouched) and
 * write their headers. Runs at the first record, or at the finish. */
static void report_begin(struct report *r)
{
    if (r->begun)
        return;
    r->begun = true;
    for (size_t i = 0; i < r->nfiles; i++) {
        FILE *f = r->files[i].out;
        fflush(f);
        if (ftruncate(fileno(f), 0) == 0)
            rewind(f);
        if (r->files[i].type == REPORT_TAP) /* the header was cut with the rest */
            fputs("TAP version 13\n", f);
    }
}

static void report_junit_finish(const struct report_file *f, const struct output_summary *s,
                                struct buf *b)
{
    char stamp[32] = "1970-01-01T00:00:00";
    time_t start = time(NULL) - (time_t)(s->elapsed_us / 1000000);
    struct tm tm;
    if (gmtime_r(&start, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    struct buf counts = {0};
    buf_addf(&counts, "tests=\"%llu\" failures=\"%llu\" errors=\"%llu\" skipped=\"%llu\" time=\"",
             (unsigned long long)f->n, (unsigned long long)f->failures,
             (unsigned long long)f->errors, (unsigned long long)f->skipped);
    buf_add_secs(&counts, s->elapsed_us > 0 ? s->elapsed_us : 0, 3);
    buf_addc(&counts, '"');
    buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    buf_addf(b, "<testsuites name=\"volley\" %s>\n", buf_str(&counts));
    buf_addf(b, "  <testsuite name=\"volley\" %s timestamp=\"%s\">\n", buf_str(&counts), stamp);
    buf_free(&counts);
}

static void report_md(const struct report *r, const struct report_file *f,
                      const struct output_summary *s, struct buf *b)
{
    uint64_t failed = s->failed;
    if (failed)
        buf_addf(b, "### volley: %llu of %llu URL%s failed\n\n", (unsigned long long)failed,
                 (unsigned long long)s->urls, s->urls == 1 ? "" : "s");
    else if (s->ok < s->urls) /* cancelled, or timeouts allowed */
        buf_addf(b, "### volley: %llu of %llu URL%s ok\n\n", (unsigned long long)s->ok,
                 (unsigned long long)s->urls, s->urls == 1 ? "" : "s");
    else
        buf_addf(b, "### volley: %s%llu URL%s ok\n\n", s->urls > 1 ? "all " : "",
                 (unsigned long long)s->urls, s->urls == 1 ? "" : "s");
    buf_adds(b, "| URLs | ok | failed | time | URLs/s | received |\n"
                "|--:|--:|--:|--:|--:|--:|\n| ");
    buf_addf(b, "%llu | %llu | %llu | ", (unsigned long long)s->urls, (unsigned long long)s->ok,
             (unsigned long long)failed);
    buf_add_secs(b, s->elapsed_us, 2);
    buf_addf(b, "s | %.1f | ", report_rate(s));
    report_bytes(b, r->bytes);
    buf_adds(b, " |\n\n");
    if (s->ok < s->urls) {
        size_t at = b->len;
        buf_adds(b, "**Failed:** ");
        size_t before = b->len;
        report_kinds(b, s, ", ");
        if (b->len == before)
            b->len = at;
        else
            buf_adds(b, "\n\n");
    }
    if (r->records) {
        buf_adds(b, "**Status:** ");
        report_statuses(b, r);
        buf_adds(b, "\n\n");
    }
    if (r->lat.n) {
        buf_adds(b, "| latency | p50 | p90 | p99 | max |\n|---|--:|--:|--:|--:|\n");
        const struct report_host *slow[REPORT_SLOWEST];
        size_t n = report_nhosts(r) >= 2 ? report_slowest(r, slow) : 0;
        for (size_t i = 0; i <= n; i++) {
            const struct report_hist *h = i ? &slow[i - 1]->h : &r->lat;
            buf_adds(b, "| ");
            if (i)
                report_md_cell(b, slow[i - 1]->name, strlen(slow[i - 1]->name), REPORT_MD_CELL);
            else
                buf_adds(b, "all URLs");
            static const unsigned pm[] = {500, 900, 990, 1000};
            for (size_t j = 0; j < 4; j++) {
                buf_adds(b, " | ");
                report_dur(b, report_hist_quantile(h, pm[j]));
            }
            buf_adds(b, " |\n");
        }
        buf_addc(b, '\n');
    }
    if (f->nrows) {
        buf_adds(b, "#### Failures\n\n| input | URL | status | error | message |\n"
                    "|---|---|--:|---|---|\n");
        buf_add(b, f->rows.p, f->rows.len);
        if (f->more)
            buf_addf(b, "\n\xE2\x80\xA6 and %llu more\n", (unsigned long long)f->more);
    }
    while (b->len >= 2 && b->p[b->len - 1] == '\n' && b->p[b->len - 2] == '\n')
        b->len--;
    buf_str(b);
}

/* Copy the rest of SRC to DST; false on a read or write error. */
static bool report_copy(FILE *src, FILE *dst)
{
    char chunk[16384];
    if (fflush(src) != 0 || fseek(src, 0, SEEK_SET) != 0)
        return false;
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, src)) > 0)
        if (fwrite(chunk, 1, n, dst) != n)
            return false;
    return !ferror(src);
}

bool report_finish(struct report *r, const struct output_summary *s, struct buf *err)
{
    report_begin(r);
    bool ok = true;
    for (size_t i = 0; i < r->nfiles; i++) {
        struct report_file *f = &r->files[i];
        if (!f->out)
            continue;
        struct buf *b = &r->line;
        buf_clear(b);
        bool copied = true;
        errno = 0;
        switch (f->type) {
        case REPORT_JUNIT:
            report_junit_finish(f, s, b);
            fwrite(b->p, 1, b->len, f->out);
            copied = report_copy(f->tmp, f->out);
            fputs("  </testsuite>\n</testsuites>\n", f->out);
            break;
        case REPORT_TAP:
            if (f->n)
                fprintf(f->out, "1..%llu\n", (unsigned long long)f->n);
            else
                fputs("1..0 # SKIP no URLs\n", f->out);
            break;
        case REPORT_MARKDOWN:
            report_md(r, f, s, b);
            fwrite(b->p, 1, b->len, f->out);
            break;
        case REPORT_JSON:
            report_summary_json(r, s, b);
            buf_addc(b, '\n');
            fwrite(b->p, 1, b->len, f->out);
            break;
        case REPORT__COUNT:
            break;
        }
        int e = errno;
        bool bad = !copied || (f->tmp && ferror(f->tmp)) || ferror(f->out);
        if (f->tmp && fclose(f->tmp) != 0 && !bad) {
            bad = true;
            e = errno;
        }
        f->tmp = NULL;
        if (fclose(f->out) != 0 && !bad) {
            bad = true;
            e = errno;
        }
        f->out = NULL;
        if (bad) {
            buf_addf(err, "%scannot write the %s report %s: %s", ok ? "" : "; ",
                     report_type_names[f->type], f->path, e ? strerror(e) : "I/O error");
            ok = false;
        }
    }
    return ok;
}
