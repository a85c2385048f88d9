/* report_tap: the TAP version 13 report, streamed: a line per record, a
 * YAML block under each failure, the plan at the end. */
#include "report_impl.h"
#include "text.h"

#include <string.h>

/* One test line (and a YAML block under a failure), into r->line. */
static void report_tap_record(struct report *r, struct report_file *f, const struct record *rec)
{
    struct buf *b = &r->line;
    f->n++;
    bool skip = !rec->ok && rec->kind == KIND_CANCELLED;
    buf_adds(b, rec->ok || skip ? "ok " : "not ok ");
    buf_add_u64(b, f->n);
    buf_adds(b, " - ");
    text_tap(b, rec->url ? rec->url : "", rec->url ? strlen(rec->url) : 0);
    if (rec->ok)
        buf_addc(b, '\n');
    else if (skip) {
        f->skipped++;
        buf_adds(b, " # SKIP ");
        buf_clear(&r->text);
        report_message(&r->text, rec);
        text_tap(b, r->text.p, r->text.len);
        buf_addc(b, '\n');
    } else {
        f->failures++;
        buf_adds(b, "\n  ---\n");
        report_details(b, rec, true);
        buf_adds(b, "  ...\n");
    }
}

static void report_tap_begin(struct report_file *f)
{
    fputs("TAP version 13\n", f->out);
}

static bool report_tap_finish(struct report *r, struct report_file *f,
                              const struct output_summary *s)
{
    (void)r;
    (void)s;
    if (f->n)
        fprintf(f->out, "1..%llu\n", (unsigned long long)f->n);
    else
        fputs("1..0 # SKIP no URLs\n", f->out);
    return true;
}

const struct report_format report_tap_format = {
    .name = "tap",
    .begin = report_tap_begin,
    .record = report_tap_record,
    .finish = report_tap_finish,
};
