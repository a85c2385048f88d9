/* sink: stdout's bytes, written by a thread of their own. The writer hands
 * over rendered records in blocks (with where each record ends); the sink's
 * thread does the blocking write(), so no event loop and not the dispatcher
 * ever waits for stdout's reader. It keeps count of the bytes not yet
 * written (the back-pressure: above the bound, reading stops) and of the
 * records not wholly written (said on stderr when volley gives up on a
 * reader that stopped reading). A closed stdout (EPIPE) or a write error is
 * sticky: nothing more is written. While idle, the thread also watches a
 * pipe or socket for its reader going away (POLLERR, POLLHUP), so that
 * `volley ... | head -1` ends when head does, not when the next record is
 * due. When stdout and stderr are one terminal, it also draws the progress
 * line (sink_status_line()): erased before each block of records and drawn
 * again after it, so the two never mix on one line. */
#ifndef VOLLEY_SINK_H
#define VOLLEY_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum sink_status {
    SINK_OK = 0,
    SINK_CLOSED, /* the reader went away (EPIPE) */
    SINK_ERROR,  /* stdout could not be written for another reason */
};

enum sink_event {
    SINK_ROOM,    /* the backlog fell to the mark sink_want_room() was given */
    SINK_DRAINED, /* everything handed over is written (after sink_want_drained()) */
    SINK_STOPPED, /* the status is no longer SINK_OK */
};

struct sink_options {
    int fd;        /* where the bytes go (stdout); borrowed */
    int status_fd; /* where sink_status_line() draws (stderr); borrowed */
    /* Called from the sink's thread, with no lock held, for each event
     * (ROOM and DRAINED once per request). NULL: none. */
    void (*notify)(void *arg, enum sink_event ev);
    void *arg;
};

/* Record ends in a block: offsets one past each record's last byte. */
struct sink_ends {
    size_t *v;
    size_t n, cap;
};

void sink_ends_add(struct sink_ends *e, size_t end);
void sink_ends_free(struct sink_ends *e);

struct sink;

/* Start the thread. Free with sink_free(). */
struct sink *sink_new(const struct sink_options *o);
/* Stop the thread: at once when everything is written (or the status is not
 * OK); otherwise it gives up on the reader within SINK_POLL_MS (it never
 * waits longer for room), and what was not written is lost
 * (sink_unwritten() says how many records, before this call). */
void sink_free(struct sink *s);

/* Hand over the bytes of DATA (emptied; it may come back with another
 * block's memory) holding ENDS->n records ending at ENDS (emptied too).
 * Never blocks for the reader. After a non-OK status the bytes are
 * dropped. */
void sink_put(struct sink *s, struct buf *data, struct sink_ends *ends);

/* The status line is LINE (LEN bytes, no newline; copied): the thread draws
 * it on status_fd now ("\r\033[K" first) and again after every block of
 * records it writes, each block preceded by an erase. LEN 0: erase it, and
 * draw none from now on until the next call. Best effort: a terminal that
 * takes no bytes (paused) never holds the thread past a sink_free(). */
void sink_status_line(struct sink *s, const char *line, size_t len);

enum sink_status sink_status(struct sink *s);
/* Bytes handed over and not yet written. */
size_t sink_backlog(struct sink *s);
/* Records handed over and not wholly written. */
uint64_t sink_unwritten(struct sink *s);
/* True when the backlog is at most MARK now; else SINK_ROOM is notified
 * once when it is. */
bool sink_want_room(struct sink *s, size_t mark);
/* True when everything is written now (or the status is not OK); else
 * SINK_DRAINED is notified once when it is. */
bool sink_want_drained(struct sink *s);
/* Wait until everything is written or the status is not OK, at most
 * TIMEOUT_MS (< 0: no limit); true when nothing is left to write. */
bool sink_sync(struct sink *s, long timeout_ms);

#endif
