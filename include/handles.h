/* handles: the run's one pool of libcurl easy handles, lent to every loop.
 * A loop borrows a handle for each transfer it starts and gives it back
 * when the transfer ends; a handle is made only when the pool has none
 * free, so the run never holds more handles than it ever had transfers in
 * flight at once (-j at most), however the load moves between loops. The
 * pool owns every handle it made (task_common_handle_init) and cleans
 * them up in handles_free(). One lock: any thread may borrow or give back;
 * a handle is used by one loop at a time (removed from its multi first). */
#ifndef VOLLEY_HANDLES_H
#define VOLLEY_HANDLES_H

#include <stddef.h>
#include <sys/queue.h>

#include "task_common.h"

struct handle_slot {
    struct task_handle h;          /* at a fixed address: libcurl writes into its error buffer */
    void *user;                    /* the borrower's (the task using it); NULL in the pool */
    TAILQ_ENTRY(handle_slot) link; /* in the pool's free list, or the borrower's list */
    struct handle_slot *next_made; /* every handle made, for handles_free() */
};

TAILQ_HEAD(handle_list, handle_slot);

struct handles;

/* TC is borrowed and must outlive the pool. */
struct handles *handles_new(const struct task_common *tc);
/* After every borrower has given back (or dropped) its handles: cleans
 * up every handle made. */
void handles_free(struct handles *hp);
/* A free handle, or a new one; its link is the borrower's to use. */
struct handle_slot *handles_get(struct handles *hp);
/* S back to the pool (out of the borrower's list, out of any multi). */
void handles_put(struct handles *hp, struct handle_slot *s);
/* How many handles were made so far. */
size_t handles_made(struct handles *hp);

#endif
