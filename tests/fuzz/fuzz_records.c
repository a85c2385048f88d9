/* fuzz_records: libFuzzer target for the record readers: summarize_parse
 * (--summarize) and resume's scanner (resume_load, --resume), on one JSON
 * Lines file made of the input. Each line summarize_parse takes renders
 * (output_render, JSONL) to valid UTF-8 that reads back to a record
 * rendering to the same bytes; that rendered record, written to a file,
 * is found by resume_load under its request key (resume_key) unless it is
 * cancelled; with --resume-failed only when it is ok. The input file
 * itself loads whatever it holds, and never yields more keys than lines. */
#include "fuzz.h"
#include "output.h"
#include "resume.h"
#include "summarize.h"

#include <fcntl.h>

static void render(const struct record *r, struct buf *out)
{
    struct output_options opt = {.format = FORMAT_JSONL, .fd = -1};
    output_render(&opt, r, out);
}

/* A file of LINE, loaded: does it hold KEY? (-1: load failed) */
static int resume_has(const char *line, size_t len, const struct buf *key, bool failed_only)
{
    char *name = fuzz_tmp_write(line, len);
    char *files[] = {name};
    struct resume_options opt = {.failed_only = failed_only, .max_age_ms = -1};
    struct buf err = {0};
    int devnull = open("/dev/null", O_WRONLY), saved = dup(2);
    dup2(devnull, 2); /* its warnings */
    struct resume *r = resume_load(files, 1, &opt, &err);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    buf_free(&err);
    if (!r)
        return -1;
    int has = resume_done(r, key->p, key->len);
    FUZZ_CHECK(resume_count(r) <= 1);
    resume_free(r);
    return has;
}

static void check_line(const char *line, size_t len)
{
    struct record r;
    struct summarize_tree *t;
    if (!summarize_parse(line, len, &r, &t))
        return;
    FUZZ_CHECK(r.url && r.method);
    struct buf once = {0}, twice = {0}, key = {0};
    render(&r, &once);
    FUZZ_CHECK(once.len > 1 && once.p[once.len - 1] == '\n');
    FUZZ_CHECK(fuzz_utf8_valid(once.p, once.len));
    FUZZ_CHECK(!memchr(once.p, '\n', once.len - 1)); /* one line */

    struct record back;
    struct summarize_tree *t2;
    FUZZ_CHECK(summarize_parse(once.p, once.len - 1, &back, &t2));
    render(&back, &twice);
    FUZZ_CHECK(twice.len == once.len && fuzz_eq(once.p, twice.p, once.len));

    /* what volley writes, --resume reads */
    resume_key(&key, back.id_json, back.method, back.url);
    bool cancelled = back.kind == KIND_CANCELLED;
    FUZZ_CHECK(resume_has(once.p, once.len, &key, false) == !cancelled);
    FUZZ_CHECK(resume_has(once.p, once.len, &key, true) == (!cancelled && back.ok));

    summarize_tree_free(t2);
    summarize_tree_free(t);
    buf_free(&once);
    buf_free(&twice);
    buf_free(&key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    const char *p = (const char *)data, *end = p + size;
    size_t lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = fuzz_dup(p, len); /* exact size: ASan sees a read past it */
        check_line(line, len);
        free(line);
        lines++;
        p += len + (nl != NULL);
    }
    /* the whole input as a resume file */
    char *name = fuzz_tmp_write(data, size);
    char *files[] = {name};
    struct resume_options opt = {.max_age_ms = (int64_t)size * 1000, .now_wall_ms = 1798761600000};
    struct buf err = {0};
    int devnull = open("/dev/null", O_WRONLY), saved = dup(2);
    dup2(devnull, 2);
    struct resume *r = resume_load(files, 1, &opt, &err);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    FUZZ_CHECK(r != NULL);
    FUZZ_CHECK(resume_count(r) <= lines);
    resume_free(r);
    buf_free(&err);
    return 0;
}
