/* run: what the event loops of one run share, every piece safe to use from
 * any thread and cheap on the common path (one atomic operation):
 * - the -j slots: one count for the whole run. A loop takes a slot to start
 *   a transfer and gives it back when the transfer ends. A loop that finds
 *   none waits in a queue and is handed slots, and woken, as others end
 *   transfers they do not need the slot for. A loop holding its fair share
 *   (-j divided among the loops that hold or want slots) takes no free slot
 *   while another loop waits, so one busy loop cannot starve the others.
 * - the --rate clock: the earliest next start of the whole run, claimed by
 *   one start at a time, so N loops never start a burst together.
 * - the read-ahead count: tasks read and not yet started (in a mailbox,
 *   queued, or waiting to retry); the dispatcher reads while it is below
 *   2 × -j and is woken when it has dropped enough.
 * The fair share is -j divided among the loops that hold or want slots or
 * were just given tasks; a loop takes more than its share only while no
 * loop waits and every loop given tasks has looked at them: so a loop that
 * was handed tasks a moment after another is not left without slots (and
 * without the connections they would keep warm) for a whole round.
 * - the cancellation cause: the first one wins; every loop and the
 *   dispatcher are woken to act on it.
 * Nothing here knows event loops: wake-ups are callbacks the loops and the
 * dispatcher register (an event_active() of their own). */
#ifndef VOLLEY_RUN_H
#define VOLLEY_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* How a run ended; RUN_DONE: every line read has its record. */
enum run_end {
    RUN_DONE,
    RUN_SIGINT,
    RUN_SIGTERM,
    RUN_SIGHUP,
    RUN_DEADLINE,
    RUN_FAILURES,  /* --fail-fast or --max-failures */
    RUN_CLOSED,    /* stdout was closed early */
    RUN_OUT_ERROR, /* stdout could not be written */
};

/* Something to call to wake a thread's loop (from any thread). */
struct run_waker {
    void (*fn)(void *arg);
    void *arg;
};

/* A member's state bits: it holds, is handed or waits for slots; it was
 * given tasks it has not looked at yet. Either one counts it in the fair
 * share. */
enum { RUN_ACTIVE = 1, RUN_FRESH = 2 };

/* A loop's part in the slots: embed it in the loop, zeroed, and register it
 * with run_member_add(). Only the loop itself changes HELD; the fields
 * marked (lock) belong to the run's lock. */
struct run_member {
    struct run_waker wake;
    atomic_long held;    /* slots the loop holds (its transfers in flight) */
    atomic_long granted; /* slots handed to it, not taken yet */
    atomic_int state;    /* RUN_ACTIVE (the loop's own) | RUN_FRESH (lock) */
    long unseen;         /* (lock) tasks given to it that its pump has not looked at */
    atomic_bool queued;  /* in the wait queue (changed under the lock) */
    /* (lock) */
    struct run_member *next; /* in the wait queue */
    long want;
};

struct run {
    long parallel;   /* -j */
    int64_t rate_us; /* --rate: µs between starts; 0: none */
    long readahead;  /* tasks read and not started, at most (2 × -j) */

    atomic_long used;     /* slots held or granted */
    atomic_long nwaiting; /* members in the wait queue */
    atomic_long ncounted; /* members holding, granted or waiting for slots, or fresh */
    atomic_long nfresh;   /* members given tasks they have not looked at yet (run_loaded) */
    atomic_llong next_start;
    atomic_long pending;    /* read, not started */
    atomic_long wake_below; /* wake the dispatcher when pending drops below; < 0: no */
    atomic_int cause;       /* enum run_end */

    pthread_mutex_t lock; /* the wait queue; the cancellation's details */
    struct run_member *head, *tail;
    struct run_member **members; /* every registered loop, for the cancel wake-ups */
    int nmembers, cap;
    struct run_waker dispatcher;
    const char *cancel_name, *cancel_message; /* (lock) until CAUSE is set */
    int64_t cancel_at;                        /* (lock) until CAUSE is set */
};

/* Make R (zeroed or not) for -j PARALLEL and --rate RATE_US (0: none);
 * DISPATCHER is woken for read-ahead room and cancellation. Free with
 * run_destroy() once no thread uses it. */
void run_init(struct run *r, long parallel, int64_t rate_us, struct run_waker dispatcher);
void run_destroy(struct run *r);
/* Register M (zeroed) with its wake-up, before any thread uses R. */
void run_member_add(struct run *r, struct run_member *m, struct run_waker wake);

/* Start a thread running FN(ARG) with SIGINT, SIGTERM and SIGHUP blocked:
 * only the dispatcher's thread takes them. Dies when it cannot. */
void run_thread_start(pthread_t *t, void *(*fn)(void *arg), void *arg);

/* ---- slots ------------------------------------------------------------- */

/* Take up to WANT slots for M (WANT >= 1): first those handed to it, then
 * free ones (within M's fair share while others wait). Returns how many it
 * got; when fewer than WANT, M now waits for the rest: slots are handed to
 * it and it is woken (its next pass takes them with this call again). */
long run_slots_take(struct run *r, struct run_member *m, long want);
/* M gives back N slots (transfers ended, or slots it took but cannot use). */
void run_slots_give(struct run *r, struct run_member *m, long n);
/* End of M's loop pass: hand the free slots to waiting loops (and wake
 * them), and leave the wait queue when M no longer wants slots
 * (WANTS_MORE false). One or two atomic loads when nothing waits. */
void run_slots_settle(struct run *r, struct run_member *m, bool wants_more);
/* M's loop is given N tasks (N > 0; call before they reach it), or its
 * pump has looked at -N of them (N < 0: they hold or wait for slots now,
 * or cannot start yet). While some are unseen the loop counts in the fair
 * share and no loop borrows beyond its own. */
void run_loaded(struct run *r, struct run_member *m, long n);
/* M ends (its loop has nothing more to do): it leaves the wait queue and
 * gives back what it was handed but did not take. */
void run_member_leave(struct run *r, struct run_member *m);
/* Slots in use now (transfers in flight, roughly: granted ones count). */
long run_slots_used(struct run *r);

/* ---- the --rate clock -------------------------------------------------- */

/* Claim the next start at NOW (µs): true when it may start now (the next
 * start moves to NOW + rate); false with the time it may start in *AT.
 * Always true without --rate. */
bool run_rate_claim(struct run *r, int64_t now, int64_t *at);
/* The earliest next start (µs); 0 before the first. */
int64_t run_rate_next(struct run *r);

/* ---- read-ahead -------------------------------------------------------- */

/* The dispatcher placed N tasks, or a task went back to wait (N = 1). */
void run_pending_add(struct run *r, long n);
/* N tasks left the read-ahead (started, or dropped); wakes the dispatcher
 * when it waits for room and the count fell below its mark, or when there
 * is any room while slots are free (what it reads may start at once). */
void run_pending_sub(struct run *r, long n);
long run_pending(struct run *r);
/* How many more tasks the dispatcher may read now (0 when none). */
long run_pending_room(struct run *r);
/* The dispatcher found no room: wake it once the count is below BELOW.
 * Returns the room there is now (> 0: it was made meanwhile; read on). */
long run_pending_wait(struct run *r, long below);

/* ---- cancellation ------------------------------------------------------ */

/* Cancel the run for CAUSE (not RUN_DONE) at NOW (µs), with NAME ("SIGINT",
 * "--deadline", ...) and the MESSAGE of the records it cancels (both
 * static, or living as long as R). The first cause wins; true for it. Every
 * member and the dispatcher are woken. */
bool run_cancel(struct run *r, enum run_end cause, const char *name, const char *message,
                int64_t now);
/* The cause so far (RUN_DONE: none). One atomic load: loops ask every pass. */
enum run_end run_cause(struct run *r);
/* The winning cause's name, message and time; NULL names before any. */
const char *run_cancel_name(struct run *r, int64_t *at);
const char *run_cancel_message(struct run *r);
/* Whether records are still written after this cause (not after a closed
 * or broken stdout). */
bool run_cause_emits(enum run_end cause);

#endif
