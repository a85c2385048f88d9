/* sched: the scheduler of one event loop. Reads lines from input with
 * back-pressure, owns the tasks, caps transfers in flight (-j) and per
 * origin (--per-host), spaces starts (--rate, --rate-per-host), waits out
 * retries on timers, lends pooled easy handles, hands every finished record
 * to the writer, and runs the one cancellation path (SIGINT, SIGTERM,
 * SIGHUP, --deadline, and the writer's --fail-fast / --max-failures). It
 * drives the loop: one event pass, one drain, one pump, one flush. */
#ifndef VOLLEY_SCHED_H
#define VOLLEY_SCHED_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "input.h"
#include "share.h"
#include "writer.h"

enum sched_end {
    SCHED_DONE,      /* every line read has its record */
    SCHED_SIGINT,    /* cancelled by SIGINT */
    SCHED_SIGTERM,   /* cancelled by SIGTERM */
    SCHED_SIGHUP,    /* cancelled by SIGHUP */
    SCHED_DEADLINE,  /* cancelled by --deadline */
    SCHED_FAILURES,  /* cancelled by --fail-fast or --max-failures */
    SCHED_CLOSED,    /* stdout was closed early */
    SCHED_OUT_ERROR, /* stdout could not be written */
};

struct sched;
struct filter;
struct jqw;
struct share;

/* Everything is borrowed and must outlive the scheduler; every record goes
 * to W; F (NULL: none) says which lines are this run's; SHARE (NULL: none)
 * is the run's curl_share; JQ is the run's jq worker (jq checks: NULL only
 * in tests without them). BASE must have been made after
 * evthread_use_pthreads() (jq answers are activated from jqw's thread).
 * Free with sched_free() before the event base is freed. */
struct sched *sched_new(struct event_base *base, const struct config *cfg,
                        const struct share *share, struct input *in, struct filter *f,
                        struct writer *w, struct jqw *jq);
void sched_free(struct sched *s);

/* Run until every line read has its record (or stdout is gone). */
enum sched_end sched_run(struct sched *s);

/* Transfers in flight now. */
long sched_inflight(const struct sched *s);
/* Microseconds from the start of sched_run() to its end (so far, while it
 * runs). */
int64_t sched_elapsed_us(const struct sched *s);
/* What cancelled the run ("SIGINT", "--deadline", "--max-failures", ...)
 * and when (µs from the start) in *AFTER_US; NULL when nothing did. */
const char *sched_stopped_by(const struct sched *s, int64_t *after_us);
/* True when an input source could not be read part-way through. */
bool sched_input_failed(const struct sched *s);

#endif
