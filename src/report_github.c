/* report_github: GitHub Actions annotations, streamed: one workflow command
 * "::error file=F,line=L,col=C,title=T::MESSAGE" per place that makes a
 * record fail (each broken link's sources, else the list's FILE:LINE), so
 * the job's summary points at the line. Values are escaped as the Actions
 * runner reads them: '%', CR and LF as %25, %0D and %0A, and in properties
 * also ':' and ',' as %3A and %2C. Cancelled records are not annotated. */
#include "report_impl.h"

#include <stdio.h>
#include <string.h>

/* S escaped for a workflow command: its message (PROPERTY false) or a
 * property's value. */
static void report_github_escape(struct buf *dst, const char *s, size_t len, bool property)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%')
            buf_adds(dst, "%25");
        else if (c == '\r')
            buf_adds(dst, "%0D");
        else if (c == '\n')
            buf_adds(dst, "%0A");
        else if (property && c == ':')
            buf_adds(dst, "%3A");
        else if (property && c == ',')
            buf_adds(dst, "%2C");
        else
            buf_addc(dst, c);
    }
}

/* A place GitHub can annotate: a file in the checkout, not stdin, --url
 * or a URL. */
static bool report_github_file(const char *file, size_t len)
{
    for (size_t i = 0; i + 3 <= len; i++)
        if (!memcmp(file + i, "://", 3))
            return false;
    return len > 0 && !(len == 1 && file[0] == '-') && (len != 3 || strncmp(file, "arg", 3));
}

/* One annotation, into B: at FILE (LEN bytes) LINE:COL when it names a
 * file (0: none), with title TITLE (NULL: none) and the message in TEXT;
 * AT (NULL: none) is said in the message when FILE is not a file. */
static void report_github_line(struct buf *b, const char *file, size_t len, unsigned long line,
                               unsigned long col, const char *title, const struct buf *text,
                               const char *at)
{
    buf_adds(b, "::error");
    char sep = ' ';
    if (report_github_file(file, len)) {
        buf_adds(b, " file=");
        report_github_escape(b, file, len, true);
        if (line)
            buf_addf(b, ",line=%lu", line);
        if (col)
            buf_addf(b, ",col=%lu", col);
        sep = ',';
        at = NULL;
    }
    if (title) {
        buf_addf(b, "%ctitle=", sep);
        report_github_escape(b, title, strlen(title), true);
    }
    buf_adds(b, "::");
    report_github_escape(b, text->p ? text->p : "", text->len, false);
    if (at) {
        buf_adds(b, " (at ");
        report_github_escape(b, at, strlen(at), false);
        buf_addc(b, ')');
    }
    buf_addc(b, '\n');
}

/* Whether REC failed its "fragment" check for the fragment of S. */
static bool report_github_fragment(const struct record *rec, const struct record_source *s)
{
    for (size_t i = 0; s->fragment && i < rec->nchecks; i++)
        if (!strcmp(rec->checks[i].check, RECORD_CHECK_FRAGMENT) &&
            !strcmp(rec->checks[i].expected + 1, s->fragment))
            return true;
    return false;
}

/* The annotations of a failed record: "URL: STATUS kind: reason"; at a
 * place whose fragment is missing, "URL#FRAGMENT: check: missing
 * fragment #FRAGMENT". */
static void report_github_record(struct report *r, struct report_file *f, const struct record *rec)
{
    (void)f;
    if (rec->ok || rec->kind == KIND_CANCELLED)
        return;
    struct buf *text = &r->text;
    buf_adds(text, rec->url ? rec->url : "");
    buf_adds(text, ": ");
    if (rec->http_code > 0)
        buf_addf(text, "%ld ", rec->http_code);
    report_message(text, rec);
    if (rec->nsources) {
        struct buf where = {0}, one = {0};
        for (size_t i = 0; i < rec->nsources; i++) {
            const struct record_source *s = &rec->sources[i];
            if (!record_source_failed(rec, s))
                continue;
            buf_clear(&where);
            report_source(&where, s);
            const struct buf *msg = text;
            if (report_github_fragment(rec, s)) {
                buf_clear(&one);
                buf_addf(&one, "%s#%s: %s: missing fragment #%s", rec->url ? rec->url : "",
                         s->fragment, record_kind_name(KIND_CHECK), s->fragment);
                msg = &one;
            }
            report_github_line(&r->line, s->file, strlen(s->file), s->line, s->column,
                               "broken link", msg, where.p);
        }
        buf_free(&where);
        buf_free(&one);
        return;
    }
    /* a list's line: FILE:LINE of the input */
    const char *in = rec->input ? rec->input : "";
    const char *colon = strrchr(in, ':');
    size_t len = colon ? (size_t)(colon - in) : 0;
    unsigned long line = 0;
    if (colon && sscanf(colon + 1, "%lu", &line) != 1)
        line = 0;
    report_github_line(&r->line, in, len, line, 0, NULL, text, NULL);
}

static bool report_github_finish(struct report *r, struct report_file *f,
                                 const struct output_summary *s)
{
    (void)r;
    (void)f;
    (void)s;
    return true;
}

const struct report_format report_github_format = {
    .name = "github",
    .record = report_github_record,
    .finish = report_github_finish,
};
