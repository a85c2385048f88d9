/* report_md: the Markdown report: a summary with the first failures as a
 * table. The rows wait in a capped buffer until the totals are known. */
#include "report_impl.h"
#include "text.h"

#include <string.h>

/* The failures table lists this many, with cells cut to so many
 * characters, so its buffer stays small. */
#define REPORT_MD_ROWS 100
#define REPORT_MD_CELL 200
#define REPORT_MD_SOURCES 5 /* places of a broken link named in its row */

/* The text of one Markdown table cell, cut to MAX characters and "…". */
static void report_md_cell(struct buf *dst, const char *s, size_t len, size_t max)
{
    size_t n = text_cut(s, len, max);
    text_md(dst, s, n);
    if (n < len)
        buf_adds(dst, "\xE2\x80\xA6"); /* … */
}

/* One row of the failures table, into f->rows (the first REPORT_MD_ROWS
 * failures; the rest are counted). A broken link's row names the places
 * it is found in the input column. */
static void report_md_record(struct report *r, struct report_file *f, const struct record *rec)
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
    if (rec->nsources) { /* --links: where the broken link is */
        buf_clear(&r->text);
        report_sources(&r->text, rec, REPORT_MD_SOURCES);
        report_md_cell(b, r->text.p, r->text.len, REPORT_MD_CELL);
    } else if (rec->input) {
        report_md_cell(b, rec->input, strlen(rec->input), REPORT_MD_CELL);
    }
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
    report_reason(&r->text, rec);
    report_md_cell(b, r->text.p ? r->text.p : "", r->text.len, REPORT_MD_CELL);
    buf_adds(b, " |\n");
}

/* The whole document, into B. */
static void report_md_text(const struct report *r, const struct report_file *f,
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
            const struct hist *h = i ? &slow[i - 1]->h : &r->lat;
            buf_adds(b, "| ");
            if (i)
                report_md_cell(b, slow[i - 1]->name, strlen(slow[i - 1]->name), REPORT_MD_CELL);
            else
                buf_adds(b, "all URLs");
            static const unsigned pm[] = {500, 900, 990, 1000};
            for (size_t j = 0; j < 4; j++) {
                buf_adds(b, " | ");
                report_dur(b, hist_quantile(h, pm[j]));
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

static bool report_md_finish(struct report *r, struct report_file *f,
                             const struct output_summary *s)
{
    report_md_text(r, f, s, &r->line);
    fwrite(r->line.p, 1, r->line.len, f->out);
    return true;
}

const struct report_format report_md_format = {
    .name = "markdown",
    .record = report_md_record,
    .finish = report_md_finish,
};
