/* dispatch: the dispatcher, on the main thread, and the engine it drives.
 * Its own event_base takes the signals (SIGINT, SIGTERM, SIGHUP; every other
 * thread blocks them), --deadline, the progress line, input readiness on a
 * pipe and the wake-ups from the loops and the writer. It reads the lines
 * (input), keeps or skips each one (filter: --shard, --resume; the one
 * place a line is filtered before it becomes work is dispatch_accept()),
 * turns each kept line into a task
 * (task_from_line(), only ever on this thread, so task_common's check cache
 * needs no lock), and places it on one of the --threads loops (place): an
 * origin with a per-host cap or rate on its own loop, other tasks on the
 * less loaded one. It reads ahead at most 2 × -j tasks not yet started, in
 * the --order input window, and only while stdout's backlog is under its
 * bound. It owns the run-wide pieces the loops share: the run (slots, rate,
 * read-ahead, cancellation) and task_common (with main's curl share: DNS,
 * TLS sessions, cookies; and main's jq worker). At the end it waits for stdout: without a limit
 * after a finished run, at most 2 s after a signal or --deadline. */
#ifndef VOLLEY_DISPATCH_H
#define VOLLEY_DISPATCH_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "input.h"
#include "run.h"
#include "writer.h"

/* How long stdout may take to flush after a signal or --deadline. */
#define DISPATCH_GRACE_MS 2000

struct dispatch;
struct filter;
struct jqw;
struct share;

/* Everything is borrowed and must outlive the dispatcher; F (NULL: none)
 * says which lines are this run's; every record goes to W (whose events the
 * dispatcher takes from here on); SHARE (NULL: none) is the run's
 * curl_share, JQ its jq worker (NULL: no jq checks). Makes the loops
 * (cfg->threads of them; prepare resolved 0), after evthread_use_pthreads().
 * Free with dispatch_free(), after the writer (its thread may still tell). */
struct dispatch *dispatch_new(const struct config *cfg, struct input *in, struct filter *f,
                              struct writer *w, const struct share *share, struct jqw *jq);
void dispatch_free(struct dispatch *d);

/* The dispatcher's event_base (for the progress line). */
struct event_base *dispatch_base(struct dispatch *d);

/* The records with seqs 1 to SEQ were written before the run (--links: the
 * local files); the lines read get the seqs after them. Call before
 * dispatch_run(). */
void dispatch_seq_taken(struct dispatch *d, uint64_t seq);

/* Run until every line read has its record (or stdout is gone), then end
 * the loops. A cut-off the writer reached before the run (--fail-fast on a
 * record written before) cancels it at once. */
enum run_end dispatch_run(struct dispatch *d);
/* After writer_finish(): wait until stdout has taken every record, handling
 * signals meanwhile; after a signal or --deadline (before or during this
 * wait) at most DISPATCH_GRACE_MS. Returns how the run ended now (a signal
 * during the wait decides it) and in *UNWRITTEN the records that could not
 * be written (0 when all were). */
enum run_end dispatch_finish_output(struct dispatch *d, uint64_t *unwritten);

/* Transfers in flight now (all loops). */
long dispatch_inflight(struct dispatch *d);
/* Easy handles made so far (the loops' one pool): never more than the
 * most transfers in flight at once. */
size_t dispatch_handles_made(struct dispatch *d);
/* Microseconds from the start of dispatch_run() to its end (so far, while
 * it runs). */
int64_t dispatch_elapsed_us(struct dispatch *d);
/* What cancelled the run ("SIGINT", "--deadline", "--max-failures", ...)
 * and when (µs from the start) in *AFTER_US; NULL when nothing did. */
const char *dispatch_stopped_by(struct dispatch *d, int64_t *after_us);
/* True when an input source could not be read part-way through. */
bool dispatch_input_failed(struct dispatch *d);
/* The loops this run has. */
int dispatch_threads(struct dispatch *d);

#endif
