/* report_junit: the JUnit XML report. Test cases wait in an unlinked
 * temporary file until the finish, when the totals of <testsuites> and
 * <testsuite> are known; then the file is copied after them. */
#include "report_impl.h"
#include "text.h"

#include <string.h>
#include <time.h>

/* JUnit classname: the input file ("FILE" of "FILE:LINE"), "stdin" for
 * "-", "volley" for --url. */
static void report_junit_classname(struct buf *dst, const char *input)
{
    const char *colon = input ? strrchr(input, ':') : NULL;
    size_t n = colon ? (size_t)(colon - input) : 0;
    if (!n || (n == 3 && !strncmp(input, "arg", 3)))
        buf_adds(dst, "volley");
    else if (n == 1 && input[0] == '-')
        buf_adds(dst, "stdin");
    else
        text_xml(dst, input, n, true);
}

/* A test's name, one per record: the spec's id when it has one, else
 * "METHOD URL (FILE:LINE)", so that two requests to one URL are two
 * tests. Into DST as raw text. */
static void report_junit_name(struct buf *dst, const struct record *rec)
{
    if (rec->id_json) {
        text_json_scalar(dst, rec->id_json);
        return;
    }
    buf_adds(dst, rec->method ? rec->method : "GET");
    buf_addc(dst, ' ');
    buf_adds(dst, rec->url ? rec->url : "");
    if (rec->input) {
        buf_adds(dst, " (");
        buf_adds(dst, rec->input);
        buf_addc(dst, ')');
    }
}

/* One <testcase>, into r->line. */
static void report_junit_record(struct report *r, struct report_file *f, const struct record *rec)
{
    struct buf *b = &r->line;
    buf_adds(b, "    <testcase name=\"");
    report_junit_name(&r->text, rec);
    text_xml(b, r->text.p ? r->text.p : "", r->text.len, true);
    buf_adds(b, "\" classname=\"");
    report_junit_classname(b, rec->input);
    buf_adds(b, "\" time=\"");
    buf_add_secs(b, rec->time_total > 0 ? rec->time_total : 0, 3);
    buf_addc(b, '"');
    f->n++;
    if (rec->ok) {
        buf_adds(b, "/>\n");
        return;
    }
    buf_clear(&r->text);
    report_message(&r->text, rec);
    if (rec->kind == KIND_CANCELLED) {
        f->skipped++;
        buf_adds(b, ">\n      <skipped message=\"");
        text_xml(b, r->text.p, r->text.len, true);
        buf_adds(b, "\"/>\n    </testcase>\n");
        return;
    }
    /* A wrong answer is a failure; no answer (could not fetch) an error. */
    bool failure = rec->kind == KIND_HTTP || rec->kind == KIND_CHECK || rec->kind == KIND_MISSING ||
                   rec->kind == KIND_NONE;
    const char *elem = failure ? "failure" : "error";
    if (failure)
        f->failures++;
    else
        f->errors++;
    buf_addf(b, ">\n      <%s message=\"", elem);
    text_xml(b, r->text.p, r->text.len, true);
    buf_adds(b, "\" type=\"");
    buf_adds(b, record_kind_name(report_kind(rec)));
    buf_adds(b, "\">");
    buf_clear(&r->text);
    report_details(&r->text, rec, false);
    text_xml(b, r->text.p, r->text.len, false);
    buf_addf(b, "</%s>\n    </testcase>\n", elem);
}

/* The document's start, with the totals. */
static void report_junit_head(const struct report_file *f, const struct output_summary *s,
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

/* Copy the rest of SRC to DST; false on a read or write error. */
static bool report_junit_copy(FILE *src, FILE *dst)
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

static bool report_junit_finish(struct report *r, struct report_file *f,
                                const struct output_summary *s)
{
    report_junit_head(f, s, &r->line);
    fwrite(r->line.p, 1, r->line.len, f->out);
    bool copied = report_junit_copy(f->tmp, f->out);
    fputs("  </testsuite>\n</testsuites>\n", f->out);
    return copied;
}

const struct report_format report_junit_format = {
    .name = "junit",
    .tmpfile = true,
    .record = report_junit_record,
    .finish = report_junit_finish,
};
