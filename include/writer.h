/* writer: the one place finished records go, from any thread. It renders
 * each record for stdout (through output), keeps the --order input window,
 * and hands whole records to the sink, whose thread writes stdout (no loop
 * ever blocks on stdout's reader); it counts every record, with the one
 * definition of a failed URL, and decides --fail-fast and --max-failures
 * exactly; it feeds the reports; and at the end it closes the --format json
 * document, finishes the reports and writes the summary. One lock makes
 * every call atomic: records from several loops never interleave, and each
 * is counted and written once. It knows nothing of event loops: a loop
 * hands each record over whole, while the strings it borrows are valid,
 * and the dispatcher asks whether it may read another line; the writer
 * tells its owner about room and the end of stdout through a callback. */
#ifndef VOLLEY_WRITER_H
#define VOLLEY_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "output.h"
#include "record.h"
#include "report.h"

enum writer_status {
    WRITER_OK = 0,
    WRITER_CLOSED, /* stdout's reader went away (EPIPE) */
    WRITER_ERROR,  /* stdout could not be written for another reason */
};

/* What the writer tells its owner (from any thread, no lock held). */
enum writer_event {
    WRITER_ROOM,    /* stdout's backlog fell to writer_want_room()'s mark */
    WRITER_DRAINED, /* every byte handed over is written (after writer_want_drained()) */
    WRITER_STOPPED, /* stdout is closed or broken: writer_status() says which */
    WRITER_WINDOW,  /* writer_want_window()'s seq fits the --order input window now */
};

struct writer_options {
    struct output_options out; /* format, -w template, --order input, colour, fd, window */
    struct report *rep;        /* borrowed; every record goes to it */
    bool allow_timeouts;       /* --allow-timeouts: a timeout is not a failure */
    bool fail_fast;            /* --fail-fast */
    long max_failures;         /* --max-failures; 0: none */
    int summary_fd;            /* where the summary goes (stderr); -1: none (-q) */
    void (*notify)(void *arg, enum writer_event ev); /* NULL: none */
    void *notify_arg;
    bool any_order;   /* seqs come sparse and in any order (--summarize): records go
                         out as they come, also in a --format json document */
    bool status_line; /* stdout and summary_fd are one terminal: the progress line
                         is drawn by stdout's thread (writer_status_line()) */
};

/* What cut the run short: the option and the message of the records it
 * cancelled. */
struct writer_cut {
    const char *option;  /* "--fail-fast" or "--max-failures" */
    const char *message; /* "cancelled by --fail-fast", ... */
};

struct writer;

/* OPT is copied; its template and report are borrowed and must outlive the
 * writer. Starts the thread that writes stdout. Free with writer_free(),
 * which gives up on what is not written yet (see writer_sync()). */
struct writer *writer_new(const struct writer_options *opt);
void writer_free(struct writer *w);

/* The progress line (with status_line set): drawn on summary_fd by
 * stdout's thread, erased before each block of records and drawn again
 * after it; LEN 0 erases it (sink_status_line()). */
void writer_status_line(struct writer *w, const char *line, size_t len);

/* Who is told about the writer's events (see struct writer_options'
 * notify); call before the first record. */
void writer_set_notify(struct writer *w, void (*notify)(void *arg, enum writer_event ev),
                       void *arg);

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
const struct writer_cut *writer_cutoff(struct writer *w);
/* True while a record with SEQ can be taken without overflowing the --order
 * input window (read a line with this seq only then); always true in
 * completion order. */
bool writer_can_accept(struct writer *w, uint64_t seq);
/* The same; when not, WRITER_WINDOW is told once SEQ fits. */
bool writer_want_window(struct writer *w, uint64_t seq);
/* The first seq beyond the --order input window now (UINT64_MAX in
 * completion order): every seq below it can be taken. */
uint64_t writer_window_end(struct writer *w);
/* Hand what is rendered to stdout's thread (never waits for the reader).
 * Non-OK is sticky: once stdout is closed or broken nothing more is written
 * (records are still counted). */
enum writer_status writer_flush(struct writer *w);
enum writer_status writer_status(struct writer *w);
/* Bytes rendered and not yet written to stdout (the back-pressure). */
size_t writer_backlog(struct writer *w);
/* True when the backlog is at most MARK; else WRITER_ROOM is told once it
 * is. */
bool writer_want_room(struct writer *w, size_t mark);
/* True when everything rendered is written (or stdout is gone); else
 * WRITER_DRAINED is told once it is. */
bool writer_want_drained(struct writer *w);
/* Flush, then wait up to TIMEOUT_MS (< 0: no limit) until stdout has taken
 * everything; true when it has (or stdout is gone). */
bool writer_sync(struct writer *w, long timeout_ms);
/* Records rendered and not wholly written to stdout. */
uint64_t writer_unwritten(struct writer *w);
/* A copy of the counts so far: URLs, ok, failed, by kind. */
void writer_counts(struct writer *w, struct output_summary *out);

/* How the run ended, for the summary. */
struct writer_end {
    int64_t elapsed_us;
    const char *stopped_by;   /* what cancelled the run ("--deadline", "SIGINT", ...); NULL: none */
    int64_t stopped_after_us; /* when, from the start of the run */
    int64_t unread;           /* lines never read; < 0: not known (see unread_source) */
    const char *unread_source; /* unread < 0: the source whose rest was not read ("stdin") */
};

/* End stdout's output (the --format json document's summary, handed to
 * stdout's thread) and complete the report files. Call once, after the last
 * record; then wait for stdout (writer_want_drained(), writer_sync()).
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
