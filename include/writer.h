/* writer: the one place finished records go. It renders each record for
 * stdout (through output), keeps the --order input window, and writes whole
 * lines through one buffer; it counts every record, with the one definition
 * of a failed URL, and decides --fail-fast and --max-failures exactly; it
 * feeds the reports; and at the end it closes the --format json document,
 * finishes the reports and writes the summary. It knows nothing of event
 * loops: a loop hands each record over whole, while the strings it borrows
 * are valid, and asks the writer whether it may read another line. */
#ifndef VOLLEY_WRITER_H
#define VOLLEY_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "output.h"
#include "record.h"
#include "report.h"

struct writer_options {
    struct output_options out; /* format, -w template, --order input, colour, fd, window */
    struct report *rep;        /* borrowed; every record goes to it */
    bool allow_timeouts;       /* --allow-timeouts: a timeout is not a failure */
    bool fail_fast;            /* --fail-fast */
    long max_failures;         /* --max-failures; 0: none */
    int summary_fd;            /* where the summary goes (stderr); -1: none (-q) */
    bool any_order;            /* seqs come sparse and in any order (--summarize): records go
                                  out as they come, also in a --format json document */
};

enum writer_status {
    WRITER_OK = 0,
    WRITER_CLOSED, /* stdout's reader went away (EPIPE) */
    WRITER_ERROR,  /* stdout could not be written for another reason */
};

/* What cut the run short: the option and the message of the records it
 * cancelled. */
struct writer_cut {
    const char *option;  /* "--fail-fast" or "--max-failures" */
    const char *message; /* "cancelled by --fail-fast", ... */
};

struct writer;

/* OPT is copied; its template and report are borrowed and must outlive the
 * writer. Free with writer_free(). */
struct writer *writer_new(const struct writer_options *opt);
void writer_free(struct writer *w);

/* Hand over one finished record (R and its strings are borrowed for the
 * call). Records arrive once per URL read, with distinct seqs 1, 2, ...,
 * each within the window writer_can_accept() allowed. A failed record after
 * the cut-off is recorded as cancelled (with the cut-off's message), so
 * exactly 1 (--fail-fast) or N (--max-failures N) failures are recorded.
 * True when R reached the cut-off: the caller cancels the rest with
 * writer_cutoff()'s message. */
bool writer_record(struct writer *w, const struct record *r);
/* Line SEQ gets no record in this run: another shard's (RESUMED false) or
 * already done by an earlier run (--resume, counted as skipped). Keeps the
 * --order input window moving; call in place of writer_record(). */
void writer_skip(struct writer *w, uint64_t seq, bool resumed);
/* The cut-off once reached, else NULL. */
const struct writer_cut *writer_cutoff(const struct writer *w);
/* True while a record with SEQ can be taken without overflowing the --order
 * input window (read a line with this seq only then); always true in
 * completion order. */
bool writer_can_accept(const struct writer *w, uint64_t seq);
/* Write out what is ready. Non-OK is sticky: once stdout is closed or broken
 * nothing more is written (records are still counted). */
enum writer_status writer_flush(struct writer *w);
enum writer_status writer_status(const struct writer *w);
/* The counts so far: URLs, ok, failed, by kind. */
const struct output_summary *writer_counts(const struct writer *w);

/* How the run ended, for the summary. */
struct writer_end {
    int64_t elapsed_us;
    const char *stopped_by;   /* what cancelled the run ("--deadline", "SIGINT", ...); NULL: none */
    int64_t stopped_after_us; /* when, from the start of the run */
    int64_t unread;           /* lines never read; < 0: not known (see unread_source) */
    const char *unread_source; /* unread < 0: the source whose rest was not read ("stdin") */
};

/* End stdout's output (the --format json document's summary, the last
 * flush) and complete the report files. Call once, after the last record.
 * False when a report file could not be written, with the messages in ERR. */
bool writer_finish(struct writer *w, const struct writer_end *e, struct buf *err);
/* Write the summary to the summary fd (unless there is none or stdout was
 * closed early): the report's lines and, after a cancelled run, what
 * stopped it and how much of the list was never read. */
void writer_print_summary(struct writer *w, const struct writer_end *e);
/* The last line of the summary after a cancelled run (with newline), e.g.
 * "  stopped by --deadline after 1.00 s; 150 lines not read"; nothing when
 * E->stopped_by is NULL. Exposed for the unit tests. */
void writer_stop_line(struct buf *dst, const struct writer_end *e);

#endif
