/* report: aggregates every record into counts and log-linear latency
 * histograms (overall and per host, in bounded memory) for the run summary,
 * explains failures for the formats, and runs the --report files: opening
 * and emptying them, handing each record and the finish to its format's row
 * of the format table (report_impl.h), and closing them with their errors. */
#include "report.h"
#include "hash.h"
#include "log.h"
#include "report_impl.h"
#include "text.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The formats, by the KIND of --report KIND=FILE. */
static const struct report_format *const report_formats[] = {
    &report_junit_format, &report_tap_format, &report_md_format, &report_json_format};
#define REPORT_NFORMATS (sizeof report_formats / sizeof report_formats[0])

static const char *const report_status_names[REPORT_STATUS__COUNT] = {"none", "1xx", "2xx",  "3xx",
                                                                      "4xx",  "5xx", "other"};
/* The order they are shown in. */
static const int report_status_order[REPORT_STATUS__COUNT] = {1, 2, 3, 4, 5, 6, 0};

/* ---- the report --------------------------------------------------------- */

struct report *report_new(void)
{
    struct report *r = log_calloc(1, sizeof *r);
    hist_init(&r->lat, HIST_FINE_BITS);
    r->other.name = log_strdup("(other)");
    hist_init(&r->other.h, HIST_COARSE_BITS);
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
        hist_free(&r->hosts[i].h);
    }
    free(r->hosts);
    free(r->other.name);
    hist_free(&r->other.h);
    hist_free(&r->lat);
    buf_free(&r->line);
    buf_free(&r->text);
    free(r);
}

/* ---- numbers for people ------------------------------------------------ */

void report_dur(struct buf *dst, int64_t usec)
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

void report_bytes(struct buf *dst, uint64_t n)
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

double report_rate(const struct output_summary *s)
{
    double secs = (double)s->elapsed_us / 1e6;
    return secs > 0 ? (double)s->urls / secs : 0.0;
}

/* ---- hosts -------------------------------------------------------------- */

/* The host NAME (LEN bytes): found, or added while there is room, else
 * "(other)". */
static struct report_host *report_host_get(struct report *r, const char *name, size_t len)
{
    uint64_t hash = hash_fnv1a64(name, len);
    size_t mask = REPORT_HOST_SLOTS - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        if (!r->slots[i]) {
            if (r->nhosts == REPORT_HOSTS_MAX)
                return &r->other;
            if (!r->hosts)
                r->hosts = log_calloc(REPORT_HOSTS_MAX, sizeof *r->hosts);
            struct report_host *h = &r->hosts[r->nhosts++];
            h->name = log_strndup(name, len);
            hist_init(&h->h, HIST_COARSE_BITS);
            r->slots[i] = (uint16_t)r->nhosts;
            return h;
        }
        struct report_host *h = &r->hosts[r->slots[i] - 1];
        if (!strncmp(h->name, name, len) && h->name[len] == '\0')
            return h;
    }
}

size_t report_nhosts(const struct report *r)
{
    return r->nhosts + (r->other.h.n > 0);
}

size_t report_slowest(const struct report *r, const struct report_host **out)
{
    size_t k = 0;
    int64_t p90[REPORT_SLOWEST];
    for (size_t i = 0; i <= r->nhosts; i++) {
        const struct report_host *h = i < r->nhosts ? &r->hosts[i] : &r->other;
        if (!h->h.n)
            continue;
        int64_t v = hist_quantile(&h->h, 900);
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

/* ---- failures ----------------------------------------------------------- */

enum record_kind report_kind(const struct record *rec)
{
    return (unsigned)rec->kind < KIND__COUNT ? rec->kind : KIND_OTHER;
}

/* A failed check as "status: expected 200, actual 404". */
static void report_check_text(struct buf *dst, const struct check_failure *c)
{
    buf_adds(dst, c->check);
    buf_adds(dst, ": expected ");
    buf_adds(dst, c->expected);
    buf_adds(dst, ", actual ");
    buf_adds(dst, c->actual);
}

void report_reason(struct buf *dst, const struct record *rec)
{
    if (rec->error_message && rec->error_message[0]) {
        buf_adds(dst, rec->error_message);
    } else if (rec->nchecks) {
        for (size_t i = 0; i < rec->nchecks; i++) {
            if (i)
                buf_adds(dst, "; ");
            report_check_text(dst, &rec->checks[i]);
        }
    } else if (rec->http_code > 0) {
        buf_addf(dst, "HTTP %ld", rec->http_code);
    }
}

void report_message(struct buf *dst, const struct record *rec)
{
    buf_adds(dst, record_kind_name(report_kind(rec)));
    size_t at = dst->len;
    buf_adds(dst, ": ");
    size_t before = dst->len;
    report_reason(dst, rec);
    if (dst->len == before) {
        dst->len = at;
        buf_str(dst);
    }
}

void report_details(struct buf *dst, const struct record *rec, bool yaml)
{
    const char *ind = yaml ? "  " : "";
#define STR(key, v)                                                                                \
    do {                                                                                           \
        if (v) {                                                                                   \
            buf_adds(dst, ind);                                                                    \
            buf_adds(dst, key ": ");                                                               \
            if (yaml)                                                                              \
                text_yaml(dst, v, strlen(v));                                                      \
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
    if (!rec->nchecks)
        return;
    buf_adds(dst, yaml ? "  checks:\n" : "checks:\n");
    for (size_t i = 0; i < rec->nchecks; i++) {
        const struct check_failure *c = &rec->checks[i];
        if (!yaml) {
            buf_adds(dst, "  - ");
            report_check_text(dst, c);
            buf_addc(dst, '\n');
            continue;
        }
        buf_adds(dst, "    - check: ");
        text_yaml(dst, c->check, strlen(c->check));
        buf_adds(dst, "\n      expected: ");
        text_yaml(dst, c->expected, strlen(c->expected));
        buf_adds(dst, "\n      actual: ");
        text_yaml(dst, c->actual, strlen(c->actual));
        buf_addc(dst, '\n');
    }
}

/* ---- per record --------------------------------------------------------- */

static bool report_timed(const struct record *rec)
{
    return rec->attempts > 0 && rec->kind != KIND_INPUT && rec->kind != KIND_CANCELLED;
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
        if (r->files[i].fmt->begin) /* a header is cut with the rest */
            r->files[i].fmt->begin(&r->files[i]);
    }
}

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
        hist_add(&r->lat, rec->time_total);
        char host[REPORT_HOST_LEN + 1];
        size_t n = url_host(rec->url ? rec->url : rec->url_effective, host, sizeof host);
        if (n)
            hist_add(&report_host_get(r, host, n)->h, rec->time_total);
    }
    for (size_t i = 0; i < r->nfiles; i++) {
        struct report_file *f = &r->files[i];
        if (!f->out || !f->fmt->record)
            continue; /* finished, or nothing per record */
        buf_clear(&r->line);
        buf_clear(&r->text);
        f->fmt->record(r, f, rec);
        if (r->line.len)
            fwrite(r->line.p, 1, r->line.len, f->fmt->tmpfile ? f->tmp : f->out);
    }
}

/* ---- the summary -------------------------------------------------------- */

void report_kinds(struct buf *dst, const struct output_summary *s, const char *sep)
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

void report_statuses(struct buf *dst, const struct report *r)
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
        report_dur(dst, hist_quantile(&r->lat, 500));
        buf_adds(dst, ", p90 ");
        report_dur(dst, hist_quantile(&r->lat, 900));
        buf_adds(dst, ", p99 ");
        report_dur(dst, hist_quantile(&r->lat, 990));
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
            text_string(dst, slow[i]->name, strlen(slow[i]->name));
            buf_addc(dst, ' ');
            report_dur(dst, hist_quantile(&slow[i]->h, 900));
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
    report_json_secs(dst, hist_mean(&r->lat));
    static const unsigned pm[] = {500, 900, 990};
    static const char *const pname[] = {"p50", "p90", "p99"};
    for (size_t i = 0; i < 3; i++) {
        buf_addf(dst, ",\"%s\":", pname[i]);
        report_json_secs(dst, hist_quantile(&r->lat, pm[i]));
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
        text_json_string(dst, slow[i]->name, strlen(slow[i]->name));
        buf_adds(dst, ",\"count\":");
        buf_add_u64(dst, slow[i]->h.n);
        buf_adds(dst, ",\"p50\":");
        report_json_secs(dst, hist_quantile(&slow[i]->h, 500));
        buf_adds(dst, ",\"p90\":");
        report_json_secs(dst, hist_quantile(&slow[i]->h, 900));
        buf_adds(dst, ",\"max\":");
        report_json_secs(dst, slow[i]->h.max);
        buf_addc(dst, '}');
    }
    buf_adds(dst, "]}");
}

int64_t report_latency(const struct report *r, unsigned permille)
{
    return hist_quantile(&r->lat, permille);
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
    size_t klen = (size_t)(eq - spec), k = 0;
    while (k < REPORT_NFORMATS && (strlen(report_formats[k]->name) != klen ||
                                   strncmp(report_formats[k]->name, spec, klen)))
        k++;
    if (k == REPORT_NFORMATS) {
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
    if (report_formats[k]->tmpfile && !(tmp = report_tmpfile())) {
        buf_addf(err, "--report %s: cannot make a temporary file: %s", spec, strerror(errno));
        fclose(out);
        return false;
    }
    r->files = log_realloc(r->files, (r->nfiles + 1) * sizeof *r->files);
    r->files[r->nfiles++] = (struct report_file){
        .fmt = report_formats[k], .path = log_strdup(path), .out = out, .tmp = tmp};
    return true;
}

bool report_finish(struct report *r, const struct output_summary *s, struct buf *err)
{
    report_begin(r);
    bool ok = true;
    for (size_t i = 0; i < r->nfiles; i++) {
        struct report_file *f = &r->files[i];
        if (!f->out)
            continue;
        buf_clear(&r->line);
        buf_clear(&r->text);
        errno = 0;
        bool copied = f->fmt->finish(r, f, s);
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
            buf_addf(err, "%scannot write the %s report %s: %s", ok ? "" : "; ", f->fmt->name,
                     f->path, e ? strerror(e) : "I/O error");
            ok = false;
        }
    }
    return ok;
}
