/* output: renders one record (text, JSONL, an element of the gathered JSON
 * document, or a -w template; strings through text.h) and the run's counts
 * as JSON. The writer decides what is rendered when and writes it. */
#ifndef VOLLEY_OUTPUT_H
#define VOLLEY_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

enum output_format { FORMAT_TEXT, FORMAT_JSONL, FORMAT_JSON, FORMAT_TEMPLATE };

/* The run's counts, kept by the writer. */
struct output_summary {
    uint64_t urls;
    uint64_t ok;
    uint64_t failed; /* not ok, not cancelled, not an allowed timeout */
    uint64_t by_kind[KIND__COUNT];
    uint64_t skipped; /* lines --resume skipped: already done (no record) */
    int64_t elapsed_us;
};

struct output_template; /* a parsed -w template */

/* Parse a -w template: %{NAME} for a field of field.h's table, curl's
 * %header{NAME}, the escapes, %%. Returns NULL and appends a message (with
 * the name at fault, if any) to ERR for an unknown %{name}, an unterminated
 * %{ or %header{, or a bad header name. Caller frees with
 * output_template_free(). */
struct output_template *output_template_parse(const char *text, struct buf *err);
void output_template_free(struct output_template *t);
/* True when T (may be NULL) writes response headers (%header{NAME},
 * %{header_json}): task collects them for the record's response_headers. */
bool output_template_headers(const struct output_template *t);

struct output_options {
    enum output_format format;
    const struct output_template *tmpl; /* borrowed; FORMAT_TEMPLATE only */
    bool order_input;                   /* implied by FORMAT_JSON */
    bool color;                         /* text format only */
    int fd;                             /* the writer's: where records go (stdout) */
    size_t window;                      /* the writer's: --order input, most records held */
};

/* Render one record into DST (appends, with the trailing newline where the
 * format has one). Exposed for the unit tests. */
void output_render(const struct output_options *opt, const struct record *r, struct buf *dst);
/* The summary as a JSON object (no newline). */
void output_summary_json(struct buf *dst, const struct output_summary *s);

#endif
