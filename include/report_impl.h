/* report_impl: what report.c shares with the report formats
 * (report_junit.c, report_tap.c, report_md.c, report_json.c) and nothing
 * else includes: the report's state, one table row per format, and the
 * helpers that explain a failure or format a number for people. */
#ifndef VOLLEY_REPORT_IMPL_H
#define VOLLEY_REPORT_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "hist.h"
#include "report.h"

/* Hosts tracked one by one; the rest are counted together as "(other)". */
#define REPORT_HOSTS_MAX 1024
#define REPORT_HOST_SLOTS 2048 /* open addressing, a power of two > max */
#define REPORT_HOST_LEN 255
#define REPORT_SLOWEST 3

/* Status classes: none (no response), 1xx .. 5xx, and anything else. */
enum { REPORT_STATUS_NONE = 0, REPORT_STATUS_OTHER = 6, REPORT_STATUS__COUNT = 7 };

struct report_host {
    char *name;
    struct hist h;
};

struct report_format;

/* One --report KIND=FILE. Owned by the report; a format keeps what it
 * needs between records here. */
struct report_file {
    const struct report_format *fmt;
    char *path;
    FILE *out;      /* the target; NULL once finished */
    FILE *tmp;      /* with fmt->tmpfile: an unlinked temporary file */
    bool to_stderr; /* a copy of stderr (--report github alone): never emptied */
    uint64_t n, failures, errors, skipped;
    struct buf rows; /* Markdown: the failures table's rows */
    uint64_t nrows, more;
};

/* One report format. BEGIN (may be NULL) writes the file's start once it is
 * emptied; RECORD (may be NULL) adds one record's entry, given the scratch
 * buffers r->line and r->text (cleared); FINISH writes the end, the totals
 * of S included, and returns false when copying the temporary file failed
 * (other write errors are found with ferror). */
struct report_format {
    const char *name; /* the KIND of --report KIND=FILE */
    bool tmpfile;     /* its entries wait in f->tmp until the totals are known */
    void (*begin)(struct report_file *f);
    void (*record)(struct report *r, struct report_file *f, const struct record *rec);
    bool (*finish)(struct report *r, struct report_file *f, const struct output_summary *s);
};

extern const struct report_format report_junit_format, report_tap_format, report_md_format,
    report_json_format, report_github_format;

struct report {
    struct report_file *files;
    size_t nfiles;
    bool begun; /* the files were emptied and their headers written */

    uint64_t records;
    uint64_t status[REPORT_STATUS__COUNT];
    uint64_t bytes;
    struct hist lat;

    struct report_host *hosts; /* REPORT_HOSTS_MAX, allocated on first use */
    size_t nhosts;
    uint16_t slots[REPORT_HOST_SLOTS]; /* index into hosts + 1; 0: free */
    struct report_host other;

    struct buf line, text; /* scratch for the formats */
};

/* ---- failures, for every format (report.c) ----------------------------- */

/* REC's kind, KIND_OTHER when out of range. */
enum record_kind report_kind(const struct record *rec);
/* Why REC failed, without its kind: the error message, else the failed
 * checks ("status: expected 200, actual 404; ..."), else "HTTP N". */
void report_reason(struct buf *dst, const struct record *rec);
/* "kind: reason", or "kind" alone. */
void report_message(struct buf *dst, const struct record *rec);
/* The record's fields that explain a failure, as "key: value" lines for
 * JUnit (YAML false) or YAML lines indented by two spaces for TAP, then
 * the places of a --links record that fail it (record_source_failed), the
 * failed checks last. */
void report_details(struct buf *dst, const struct record *rec, bool yaml);
/* "FILE:LINE:COLUMN" of S, as raw text. */
void report_source(struct buf *dst, const struct record_source *s);
/* The places of the failed --links record REC that fail it, as raw text:
 * "a.md:1:2, b.md:3:4 and 5 more" (at most MAX named); nothing when it has
 * none. */
void report_sources(struct buf *dst, const struct record *rec, size_t max);

/* ---- numbers and summaries for people (report.c) ----------------------- */

/* Durations: three significant digits, ms below a second; "-" when < 0. */
void report_dur(struct buf *dst, int64_t usec);
/* Byte counts in SI units ("1.2 kB"). */
void report_bytes(struct buf *dst, uint64_t n);
/* URLs per second over the run. */
double report_rate(const struct output_summary *s);
/* The failed kinds, most frequent first: "7 http, 2 timeout" (with SEP). */
void report_kinds(struct buf *dst, const struct output_summary *s, const char *sep);
/* The status classes seen: "2xx 3, 4xx 1, none 2". */
void report_statuses(struct buf *dst, const struct report *r);
/* How many hosts there are to rank ("(other)" counts as one). */
size_t report_nhosts(const struct report *r);
/* Up to REPORT_SLOWEST hosts by p90 (then max, then name), into OUT; how
 * many. */
size_t report_slowest(const struct report *r, const struct report_host **out);

#endif
