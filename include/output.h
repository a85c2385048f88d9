/* output: renders one record per URL (text, JSONL, gathered JSON or a
 * -w template; strings through text.h), keeps --order input, and writes
 * whole lines to stdout through one block buffer. Also the summary as JSON. */
#ifndef VOLLEY_OUTPUT_H
#define VOLLEY_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

enum output_format { FORMAT_TEXT, FORMAT_JSONL, FORMAT_JSON, FORMAT_TEMPLATE };

/* Counts for the summary, kept by the caller. */
struct output_summary {
    uint64_t urls;
    uint64_t ok;
    uint64_t by_kind[KIND__COUNT];
    int64_t elapsed_us;
};

struct output_template; /* a parsed -w template */

/* Parse a -w template. Returns NULL and sets *err (static text) for an
 * unknown %{name}. Caller frees with output_template_free(). */
struct output_template *output_template_parse(const char *text, const char **err, char *errname,
                                              size_t errname_len);
void output_template_free(struct output_template *t);

struct output_options {
    enum output_format format;
    const struct output_template *tmpl; /* borrowed; FORMAT_TEMPLATE only */
    bool order_input;                   /* implied by FORMAT_JSON */
    bool color;                         /* text format only */
    int fd;                             /* where records go (stdout) */
    size_t window;                      /* --order input: most records held */
};

struct output;

/* Caller frees with output_free(). */
struct output *output_new(const struct output_options *opt);
void output_free(struct output *o);

/* Render R and queue it (or hold it until earlier records are out with
 * --order input). Records must arrive with distinct seqs 1, 2, ... */
void output_record(struct output *o, const struct record *r);
/* True while a record with SEQ can be accepted without overflowing the
 * --order input window; always true in completion order. */
bool output_can_accept(const struct output *o, uint64_t seq);

enum output_status { OUTPUT_OK = 0, OUTPUT_CLOSED, OUTPUT_ERROR };
/* Write out everything queued. Non-OK is sticky: once stdout is closed or
 * broken nothing more is written. */
enum output_status output_flush(struct output *o);
/* True when enough is queued that a flush is worthwhile now. */
bool output_should_flush(const struct output *o);
enum output_status output_status(const struct output *o);
/* End the document (--format json) with the summary, and flush. */
enum output_status output_finish(struct output *o, const struct output_summary *s);

/* Render one record into DST (appends, with the trailing newline where the
 * format has one). Exposed for the unit tests. */
void output_render(const struct output_options *opt, const struct record *r, struct buf *dst);
/* The summary as a JSON object (no newline). */
void output_summary_json(struct buf *dst, const struct output_summary *s);

#endif
