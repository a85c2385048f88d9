/* sched: the scheduler of one event loop, run in a thread of its own with
 * its own event_base and libcurl multi handle (evcurl). It takes the tasks
 * the dispatcher posts to its mailbox, queues them per origin, starts them
 * as the run's -j slots, the per-origin cap (--per-host) and the start
 * spacing (--rate, --rate-per-host) allow, waits out retries on timers,
 * lends its pooled easy handles, hands every finished record to the writer
 * and sends the task back to the dispatcher. It sees the run's cancellation
 * at its next pass and ends every task it holds, each with one record (none
 * after a closed stdout). One pass: one event loop pass, one drain of the
 * finished transfers, one intake of the mailbox, one pump, one hand-over of
 * the records. */
#ifndef VOLLEY_SCHED_H
#define VOLLEY_SCHED_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "cli.h"
#include "handles.h"
#include "mailbox.h"
#include "origin.h"
#include "run.h"
#include "task.h"
#include "writer.h"

struct sched;

/* A task as it travels: the dispatcher makes it (task_from_line() on
 * TASK, only ever on the dispatcher's thread, which also resets and frees
 * it), a loop runs it, and it comes back to the dispatcher once its record
 * is out. The fields after TASK are the loop's. */
struct sched_task {
    struct task task;
    struct mailbox_link link; /* in a mailbox, or a batch of them */
    struct sched *s;
    struct origin *origin;
    struct origin_entry entry;    /* in its origin's queue */
    TAILQ_ENTRY(sched_task) wait; /* in the list of those waiting to retry */
    struct event *retry_ev;       /* the backoff timer, while it waits */
    struct event *jq_ev;          /* its jq answer is in (memory kept across reuse) */
    struct handle_slot *slot;     /* while in flight: the pool's handle it holds */
};

/* A new task (task_init'ed). Free with sched_task_free(). */
struct sched_task *sched_task_new(void);
void sched_task_free(struct sched_task *st);
/* The task a mailbox link belongs to. */
struct sched_task *sched_task_of(struct mailbox_link *l);

/* Everything is borrowed and must outlive the loop; every record goes to W;
 * its transfers borrow their handles from HP (the run's pool). BASE NULL: the loop makes its own
 * event_base and sched_start() runs it in a thread of its own. Else it lives on BASE, in the
 * caller's thread, and the caller runs its passes (sched_turn(), then sched_collect() after each
 * pass of BASE's loop): --threads 1 is one loop on the dispatcher's thread, as volley was before it
 * had threads. */
struct sched *sched_new(const struct config *cfg, struct run *run, struct writer *w,
                        const struct task_common *tc, struct handles *hp, struct event_base *base);
/* Free after sched_join(); the tasks given back and not yet collected are
 * not freed here (the dispatcher collects them first). */
void sched_free(struct sched *s);

/* With its own base: run the loop in a thread of its own until its mailbox
 * is closed and every task it was given is back; then the run's dispatcher
 * is woken. Nothing on the caller's base. */
void sched_start(struct sched *s);
void sched_join(struct sched *s);
/* One turn of the loop after a pass of its base's event loop (and
 * sched_collect()): take in the mailbox, start what may start (or end
 * everything after a cancellation), hand the records to stdout's thread
 * and the finished tasks back. True once the loop has ended. */
bool sched_turn(struct sched *s);
/* The transfers that finished in the last pass of the base's loop. */
void sched_collect(struct sched *s);
/* True once the loop has ended (it can be joined without waiting). */
bool sched_ended(struct sched *s);

/* From the dispatcher: N tasks are coming (counted in the loop's load, and
 * in the run's loops with tasks). Call for every loop of a batch before
 * posting any of them, so that no loop takes the slots another one's tasks
 * are due (run.h). */
void sched_assign(struct sched *s, long n);
/* From the dispatcher: move the tasks in LIST (emptied) to the loop. */
void sched_post(struct sched *s, struct mailbox_list *list);
/* No more tasks come: the loop ends once it holds none. */
void sched_close(struct sched *s);
/* The tasks whose record is out, given back to the dispatcher (appended to
 * OUT). */
void sched_returns(struct sched *s, struct mailbox_list *out);
/* Tasks posted to the loop and not given back yet. */
long sched_load(struct sched *s);

#endif
