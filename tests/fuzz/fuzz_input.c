/* fuzz_input: libFuzzer target for the input-line reader (input.h). The
 * input describes a list file: its bytes, where "\xFE" N C stands for the
 * byte C repeated (N + 1) * 1024 times (so that lines over 64 KiB are
 * reachable), and a schedule of write sizes for the pipe. The same bytes
 * are read from a regular file and from a non-blocking pipe fed in those
 * chunks (input_next says INPUT_AGAIN in between), and both must give
 * exactly the lines a model written here from the contract gives: a UTF-8
 * BOM at the start skipped, lines split at '\n', trimmed of blanks, blank
 * lines and '#' comments skipped, a line over 64 KiB after trimming
 * flagged too_long with a prefix of it kept (not empty), every other line
 * whole (NULs, CRs and invalid UTF-8 included), numbered from 1. For the
 * file, input_count is the number of lines, and input_unread after K of
 * them is the rest. */
#define _GNU_SOURCE /* F_SETPIPE_SZ, pipe2 */
#include "fuzz.h"
#include "input.h"
#include "text.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>

#define MAX_BYTES (600 * 1024)

struct want {
    const char *text; /* into the content */
    size_t len;       /* the trimmed line's */
    uint64_t lineno;
};

/* The lines the contract says CONTENT (LEN bytes) holds, into W. */
static size_t model(const char *content, size_t len, struct want *w, size_t cap)
{
    size_t n = 0, at = 0;
    uint64_t lineno = 0;
    if (len >= 3 && !memcmp(content, "\xEF\xBB\xBF", 3))
        at = 3;
    while (at < len) {
        const char *nl = memchr(content + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - content) : len;
        const char *s = content + at;
        size_t l = end - at;
        lineno++;
        text_trim(&s, &l);
        if (l && s[0] != '#') {
            FUZZ_CHECK(n < cap);
            w[n++] = (struct want){s, l, lineno};
        }
        at = end + 1;
    }
    return n;
}

static void check_line(const struct input_line *got, const struct want *w)
{
    FUZZ_CHECK(got->lineno == w->lineno);
    if (w->len > URL_MAX_LINE) {
        FUZZ_CHECK(got->too_long);
        FUZZ_CHECK(got->len > 0 && got->len <= URL_MAX_LINE);
        FUZZ_CHECK(fuzz_eq(got->text, w->text, got->len)); /* a prefix of the trimmed line */
    } else {
        FUZZ_CHECK(!got->too_long);
        FUZZ_CHECK(got->len == w->len && fuzz_eq(got->text, w->text, w->len));
    }
}

static void read_file(const char *content, size_t len, const struct want *w, size_t nw, size_t stop)
{
    char *name = fuzz_tmp_write(content, len);
    char *files[] = {name};
    FUZZ_CHECK(input_count(NULL, 0, files, 1) == (int64_t)nw);
    struct input *in = input_new(NULL, 0, files, 1);
    struct input_line l;
    size_t k = 0;
    enum input_status st;
    while ((st = input_next(in, &l)) == INPUT_LINE) {
        FUZZ_CHECK(k < nw);
        FUZZ_CHECK(!strcmp(l.source, name));
        check_line(&l, &w[k++]);
        if (k == stop) {
            const char *src;
            FUZZ_CHECK(input_unread(in, &src) == (int64_t)(nw - k));
            break;
        }
    }
    FUZZ_CHECK(k == stop || (st == INPUT_EOF && k == nw));
    input_free(in);
}

static void read_pipe(const char *content, size_t len, const struct want *w, size_t nw,
                      struct fuzz_in *sched)
{
    int p[2];
    FUZZ_CHECK(pipe2(p, O_CLOEXEC) == 0);
    fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
    FUZZ_CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
    char name[32];
    snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
    char *files[] = {name};
    struct input *in = input_new(NULL, 0, files, 1);
    struct input_line l;
    size_t k = 0, at = 0;
    bool closed = false;
    for (int guard = 0; guard < 1 << 20; guard++) {
        enum input_status st = input_next(in, &l);
        if (st == INPUT_LINE) {
            FUZZ_CHECK(k < nw);
            check_line(&l, &w[k++]);
            continue;
        }
        if (st == INPUT_EOF)
            break;
        FUZZ_CHECK(st == INPUT_AGAIN && !closed);
        /* the next chunk, or the end */
        size_t want = sched->n ? (size_t)fuzz_u8(sched) * 97 + 1 : len - at;
        if (want > len - at)
            want = len - at;
        if (want == 0) {
            close(p[1]);
            closed = true;
            continue;
        }
        ssize_t wr = write(p[1], content + at, want);
        FUZZ_CHECK(wr > 0 || (wr < 0 && errno == EAGAIN));
        if (wr > 0)
            at += (size_t)wr;
    }
    FUZZ_CHECK(k == nw);
    if (!closed)
        close(p[1]);
    input_free(in);
    close(p[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the content, up to a "\xFF\xFF\xFF" separator; the pipe's schedule after it */
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 3 <= size && !sep; i++)
        if (data[i] == 0xFF && data[i + 1] == 0xFF && data[i + 2] == 0xFF)
            sep = data + i;
    size_t clen = sep ? (size_t)(sep - data) : size;
    struct fuzz_in sched = {sep ? sep + 3 : data + size, sep ? size - clen - 3 : 0};
    char *content = malloc(MAX_BYTES);
    FUZZ_CHECK(content != NULL);
    size_t len = 0;
    for (size_t i = 0; i < clen; i++) {
        if (data[i] == 0xFE && i + 2 < clen) {
            size_t n = ((size_t)data[i + 1] + 1) * 1024;
            if (len + n > MAX_BYTES)
                break;
            memset(content + len, data[i + 2], n);
            len += n;
            i += 2;
        } else {
            if (len == MAX_BYTES)
                break;
            content[len++] = (char)data[i];
        }
    }
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += content[i] == '\n';
    struct want *w = calloc(cap, sizeof *w);
    FUZZ_CHECK(w != NULL);
    size_t nw = model(content, len, w, cap);
    size_t stop = sched.n ? sched.p[0] % (nw + 1) : nw;
    read_file(content, len, w, nw, stop == 0 ? nw : stop);
    read_pipe(content, len, w, nw, &sched);
    free(w);
    free(content);
    return 0;
}
