/* report_json: the JSON report, one object: report_summary_json() (the
 * summary of --format json plus bytes, status classes, latency and the
 * slowest hosts) and a newline, written at the finish. */
#include "report_impl.h"

static bool report_json_finish(struct report *r, struct report_file *f,
                               const struct output_summary *s)
{
    report_summary_json(r, s, &r->line);
    buf_addc(&r->line, '\n');
    fwrite(r->line.p, 1, r->line.len, f->out);
    return true;
}

const struct report_format report_json_format = {
    .name = "json",
    .finish = report_json_finish,
};
