/* report: the run's aggregates (counts by error kind and status class, bytes,
 * latency histograms overall and per host) behind the stderr summary, and the
 * --report files (JUnit XML, TAP, Markdown, JSON), streamed as records come.
 * Memory stays bounded whatever the number of URLs. */
#ifndef VOLLEY_REPORT_H
#define VOLLEY_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "output.h"

struct report;

/* A report with no files yet: it still aggregates for the summary.
 * Caller frees with report_free(). */
struct report *report_new(void);
/* Close every report file (one not finished stays as written so far) and
 * free R. Temporary files are unlinked when made, so none is left behind.
 * R may be NULL. */
void report_free(struct report *r);

/* Add one --report KIND=FILE (KIND: junit, tap, markdown, json). FILE is
 * created or truncated now, so that a bad one is a usage error before
 * anything is fetched. On error (no '=', unknown kind, empty FILE, a FILE
 * already given, a FILE or temporary file that cannot be opened) returns
 * false and appends a one-line message (no "volley: ", no newline) to ERR.
 * Call before the first report_record(). SPEC is not kept. */
bool report_add(struct report *r, const char *spec, struct buf *err);

/* Account for one finished URL, in any order (completion order is fine),
 * and stream its entry to the report files. Call exactly once per record.
 * REC and its strings are borrowed for the duration of the call. */
void report_record(struct report *r, const struct record *rec);

/* Complete and close every report file; S is the run's own counts (URLs,
 * ok, by error kind, elapsed). Call once, after the last report_record().
 * Returns false when a file could not be written, appending a message per
 * such file to ERR (separated by "; "). */
bool report_finish(struct report *r, const struct output_summary *s, struct buf *err);

/* The multi-line human summary for stderr (each line ends in a newline),
 * appended to DST. The first line starts "volley: N URL(s) in ...". */
void report_summary_text(const struct report *r, const struct output_summary *s, struct buf *dst);
/* The summary as one JSON object (no newline), appended to DST: the keys of
 * output_summary_json() plus bytes, status, latency and slowest_hosts. */
void report_summary_json(const struct report *r, const struct output_summary *s, struct buf *dst);

/* The PERMILLE-th percentile (500 = p50, 990 = p99, 1000 = max) of
 * time_total over the URLs that were attempted (not cancelled, not input
 * errors), in microseconds, within 1 %; -1 when there are none. */
int64_t report_latency(const struct report *r, unsigned permille);

#endif
