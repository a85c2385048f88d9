/* sched: the scheduler. Reads lines from input with back-pressure, owns the
 * tasks, caps transfers in flight (-j) and per origin (--per-host), spaces
 * starts (--rate, --rate-per-host), waits out retries on timers, lends pooled
 * easy handles, hands finished records to output, and runs the one
 * cancellation path (SIGINT, SIGTERM, --deadline, --fail-fast,
 * --max-failures). It drives the loop: one event pass, one drain, one pump. */
#ifndef VOLLEY_SCHED_H
#define VOLLEY_SCHED_H

#include <event2/event.h>
#include <stdbool.h>

#include "cli.h"
#include "input.h"
#include "output.h"
#include "progress.h"
#include "report.h"

enum sched_end {
    SCHED_DONE,      /* every line read has its record */
    SCHED_SIGINT,    /* cancelled by SIGINT */
    SCHED_SIGTERM,   /* cancelled by SIGTERM */
    SCHED_DEADLINE,  /* cancelled by --deadline */
    SCHED_FAILURES,  /* cancelled by --fail-fast or --max-failures */
    SCHED_CLOSED,    /* stdout was closed early */
    SCHED_OUT_ERROR, /* stdout could not be written */
};

struct sched;

/* Everything is borrowed and must outlive the scheduler; every record goes
 * to OUT and to REP. Free with sched_free() before the event base is freed. */
struct sched *sched_new(struct event_base *base, const struct config *cfg, struct input *in,
                        struct output *out, struct report *rep);
/* The counts the progress line shows (a progress_fn; ARG is the sched). */
void sched_progress(void *arg, struct progress_counts *c);
void sched_free(struct sched *s);

/* Run until every URL has its record (or the run is cut short). */
enum sched_end sched_run(struct sched *s);
/* Counts by outcome, for the summary and the exit status. */
const struct output_summary *sched_summary(const struct sched *s);
/* True when an input source could not be read part-way through. */
bool sched_input_failed(const struct sched *s);

#endif
