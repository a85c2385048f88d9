/* progress: the progress line on stderr (done / total, rate, in flight,
 * failures, ETA), redrawn at most four times a second on a libevent timer
 * and cleared at the end. It reads the counts through a callback, so it
 * knows nothing of the scheduler. */
#ifndef VOLLEY_PROGRESS_H
#define VOLLEY_PROGRESS_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct progress_counts {
    uint64_t done;      /* records written */
    uint64_t failed;    /* of which failed (the writer's count) */
    long inflight;      /* transfers in flight */
    int64_t elapsed_us; /* since progress_new(); the progress line fills it in */
};

/* Fill in C's done, failed and inflight. */
typedef void (*progress_fn)(void *arg, struct progress_counts *c);

struct progress;

/* Draw on FD every 250 ms from BASE's loop, with the counts FN gives (ARG
 * is FN's); TOTAL is the number of URLs when known, else < 0. Make it when
 * the run starts: the time shown counts from here. Free with
 * progress_free() (which clears the line) before BASE is freed. */
struct progress *progress_new(struct event_base *base, int fd, int64_t total, progress_fn fn,
                              void *arg);
void progress_free(struct progress *p);

/* Draw through PUT instead of on the fd: PUT(ARG, LINE, LEN) is given each
 * line (without "\r" and the erase sequence), and LEN 0 to erase it at the
 * end (stdout's thread draws it when stdout shares stderr's terminal:
 * writer_status_line()). */
void progress_route(struct progress *p, void (*put)(void *arg, const char *line, size_t len),
                    void *arg);

/* The line for C (without "\r" and the erase sequence). Exposed for the
 * unit tests. */
void progress_line(struct buf *dst, const struct progress_counts *c, int64_t total);

#endif
