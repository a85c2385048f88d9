/* output: renders one record per URL (text, JSONL, gathered JSON or a
 * -w template), repairs UTF-8, keeps --order input, and writes whole lines
 * to stdout through one block buffer. Also the run summary. */
#ifndef VOLLEY_OUTPUT_H
#define VOLLEY_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum output_kind {
    KIND_NONE = 0,
    KIND_INPUT,
    KIND_DNS,
    KIND_CONNECT,
    KIND_TLS,
    KIND_TIMEOUT,
    KIND_TOO_LARGE,
    KIND_PROTOCOL,
    KIND_HTTP,
    KIND_CHECK,
    KIND_CANCELLED,
    KIND_OTHER,
    KIND__COUNT
};

enum output_format { FORMAT_TEXT, FORMAT_JSONL, FORMAT_JSON, FORMAT_TEMPLATE };

/* One URL's result. Strings are borrowed for the duration of output_record();
 * NULL strings are written as null. Times are in microseconds. */
struct record {
    uint64_t seq;
    const char *input;
    const char *url;
    const char *url_effective;
    const char *method;
    long http_code;
    bool ok;
    enum output_kind kind; /* KIND_NONE: error is null */
    long error_code;       /* < 0: null */
    const char *error_message;
    long attempts;
    int64_t time_total, time_namelookup, time_connect, time_appconnect;
    int64_t time_starttransfer, time_redirect, time_queue;
    int64_t size_download;
    const char *content_type;
    const char *http_version;
    const char *remote_ip;
    long num_redirects, num_connects;

    /* Optional keys, written only when set (NULL / false: no key). */
    const char *id_json;      /* a request spec's "id", already JSON */
    const char *checks_json;  /* failed checks, a JSON array */
    const char *headers_json; /* response headers, a JSON object */
    const char *body;         /* --include-body: the (capped) body */
    size_t body_len;
    bool has_body;
    bool body_truncated;
    const char *body_sha256;        /* --sha256: hex */
    const char *filename_effective; /* --output-dir: where the body went */
};

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

const char *output_kind_name(enum output_kind k);

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
/* Decode the UTF-8 sequence at S (at most N bytes) into *CP; returns its
 * length, or 0 when it is not valid UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated). */
size_t output_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Append S (LEN bytes) as a JSON string literal: quotes, escapes, invalid
 * UTF-8 replaced by U+FFFD. */
void output_json_string(struct buf *dst, const char *s, size_t len);
/* Append S with invalid UTF-8 replaced by U+FFFD and control characters by
 * '?', for the text format. */
void output_text_string(struct buf *dst, const char *s, size_t len);
/* The summary as a JSON object (no newline). */
void output_summary_json(struct buf *dst, const struct output_summary *s);
/* The one-line human summary for stderr (with newline). */
void output_summary_text(struct buf *dst, const struct output_summary *s);

#endif
