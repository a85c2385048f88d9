/* trace: -v and -D buffered per task inside libcurl's callbacks, written as
 * whole redacted lines after the transfer step. */
#include "trace.h"
#include "url.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* The kinds of -v entries, as the line's mark says them. */
enum {
    TRACE_TEXT = '*',
    TRACE_IN = '<',
    TRACE_OUT = '>',
    TRACE_DATA_IN = '{',
    TRACE_DATA_OUT = '}'
};

#define TRACE_MARK '\001' /* -D: a line naming the URL of the response after it */

void trace_free(struct trace *t)
{
    buf_free(&t->v);
    buf_free(&t->d);
    memset(t, 0, sizeof *t);
}

/* Tasks are reused: a buffer one large trace grew is not kept for all. */
#define TRACE_KEEP (64u << 10)

void trace_clear(struct trace *t)
{
    if (t->v.cap > TRACE_KEEP)
        buf_free(&t->v);
    if (t->d.cap > TRACE_KEEP)
        buf_free(&t->d);
    buf_clear(&t->v);
    buf_clear(&t->d);
    t->v_last = 0;
    t->v_dropped = t->d_dropped = 0;
}

/* An entry: its kind, its length (4 bytes), its bytes. */
static void trace_entry(struct trace *t, char kind, const void *p, uint32_t n)
{
    if (t->v.len + 5 + n > TRACE_CAP) {
        t->v_dropped += n;
        return;
    }
    t->v_last = t->v.len + 1;
    buf_addc(&t->v, kind);
    buf_add(&t->v, (const char *)&n, sizeof n);
    buf_add(&t->v, p, n);
}

int trace_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *arg)
{
    (void)easy;
    struct trace *t = *(struct trace **)arg;
    if (!t)
        return 0;
    char kind;
    switch (type) {
    case CURLINFO_TEXT:
        kind = TRACE_TEXT;
        break;
    case CURLINFO_HEADER_IN:
        kind = TRACE_IN;
        break;
    case CURLINFO_HEADER_OUT:
        kind = TRACE_OUT;
        break;
    case CURLINFO_DATA_IN:
    case CURLINFO_DATA_OUT: {
        /* a count, never the bytes; a run of data is one entry */
        kind = type == CURLINFO_DATA_IN ? TRACE_DATA_IN : TRACE_DATA_OUT;
        uint64_t n = size;
        if (t->v_last && t->v.p[t->v_last - 1] == kind) {
            uint64_t had;
            memcpy(&had, t->v.p + t->v_last + 4, sizeof had);
            had += n;
            memcpy(t->v.p + t->v_last + 4, &had, sizeof had);
        } else {
            trace_entry(t, kind, &n, sizeof n);
        }
        return 0;
    }
    default: /* TLS records: not traced */
        return 0;
    }
    trace_entry(t, kind, data, size > UINT32_MAX ? UINT32_MAX : (uint32_t)size);
    return 0;
}

void trace_header(struct trace *t, const char *url, const char *line, size_t len)
{
    bool status = len >= 5 && !memcmp(line, "HTTP/", 5);
    size_t need = len + (status ? strlen(url) + 2 : 0);
    if (t->d.len + need > TRACE_CAP) {
        t->d_dropped += len;
        return;
    }
    if (status) {
        buf_addc(&t->d, TRACE_MARK);
        buf_adds(&t->d, url);
        buf_addc(&t->d, '\n');
    }
    buf_add(&t->d, line, len);
}

static void trace_prefix(struct buf *out, uint64_t seq)
{
    buf_addc(out, '[');
    buf_add_u64(out, seq);
    buf_add(out, "] ", 2);
}

/* Each line of P (N bytes) after PREFIX and the mark, redacted. */
static void trace_lines(struct buf *out, uint64_t seq, char mark, const char *p, size_t n,
                        const struct redact *r)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        size_t shown = len && p[len - 1] == '\r' ? len - 1 : len;
        trace_prefix(out, seq);
        buf_addc(out, mark);
        if (shown) {
            buf_addc(out, ' ');
            redact_line(r, p, shown, out);
        }
        buf_addc(out, '\n');
        size_t step = nl ? len + 1 : len;
        p += step;
        n -= step;
    }
}

static bool trace_write(int fd, const struct buf *b)
{
    for (size_t done = 0; done < b->len;) {
        ssize_t w = write(fd, b->p + done, b->len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

static void trace_render_v(const struct trace *t, uint64_t seq, const struct redact *r,
                           struct buf *out)
{
    for (size_t i = 0; i + 5 <= t->v.len;) {
        char kind = t->v.p[i];
        uint32_t n;
        memcpy(&n, t->v.p + i + 1, sizeof n);
        const char *p = t->v.p + i + 5;
        if (kind == TRACE_DATA_IN || kind == TRACE_DATA_OUT) {
            uint64_t bytes;
            memcpy(&bytes, p, sizeof bytes);
            trace_prefix(out, seq);
            buf_addf(out, "%c [%llu bytes data]\n", kind, (unsigned long long)bytes);
        } else {
            trace_lines(out, seq, kind, p, n, r);
        }
        i += 5 + n;
    }
    if (t->v_dropped) {
        trace_prefix(out, seq);
        buf_addf(out, "* [%llu bytes of trace not kept]\n", (unsigned long long)t->v_dropped);
    }
}

static void trace_render_d(const struct trace *t, uint64_t seq, const struct redact *r,
                           struct buf *out)
{
    const char *p = t->d.p;
    size_t n = t->d.len;
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        size_t shown = len && p[len - 1] == '\r' ? len - 1 : len;
        if (shown && p[0] == TRACE_MARK) {
            struct buf url = {0};
            buf_add(&url, p + 1, shown - 1);
            trace_prefix(out, seq);
            url_redact(buf_str(&url), out);
            buf_free(&url);
        } else {
            redact_line(r, p, shown, out);
        }
        buf_addc(out, '\n');
        size_t step = nl ? len + 1 : len;
        p += step;
        n -= step;
    }
    if (t->d_dropped) {
        trace_prefix(out, seq);
        buf_addf(out, "[%llu bytes of headers not kept]\n\n", (unsigned long long)t->d_dropped);
    }
}

bool trace_flush(struct trace *t, uint64_t seq, const struct redact *r, int vfd, int dfd)
{
    bool ok = true;
    struct buf out = {0};
    if (vfd >= 0 && (t->v.len || t->v_dropped)) {
        trace_render_v(t, seq, r, &out);
        ok = trace_write(vfd, &out);
    }
    if (dfd >= 0 && (t->d.len || t->d_dropped)) {
        buf_clear(&out);
        trace_render_d(t, seq, r, &out);
        ok = trace_write(dfd, &out) && ok;
    }
    buf_free(&out);
    trace_clear(t);
    return ok;
}
