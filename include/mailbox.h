/* mailbox: a locked queue of items from one thread to another, with the
 * wake-up of the receiver: items are posted in batches, and the receiver's
 * wake-up runs when a batch lands in an empty box or the box is closed, so a
 * receiver that takes everything each pass is woken once per pass at most.
 * Items are intrusive (a struct mailbox_link embedded in the item); the box
 * never allocates. */
#ifndef VOLLEY_MAILBOX_H
#define VOLLEY_MAILBOX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct mailbox_link {
    struct mailbox_link *next;
};

/* A batch of items, in order: zero it to start an empty one. */
struct mailbox_list {
    struct mailbox_link *head, *tail;
    size_t n;
};

/* Append L (not in any list) to LIST. */
void mailbox_list_add(struct mailbox_list *list, struct mailbox_link *l);
/* Take the first item of LIST, NULL when it is empty. */
struct mailbox_link *mailbox_list_pop(struct mailbox_list *list);

struct mailbox {
    pthread_mutex_t lock;
    struct mailbox_list items;
    bool closed;
    void (*wake)(void *arg); /* NULL: the receiver looks by itself */
    void *arg;
};

/* Make MB with the receiver's wake-up WAKE(ARG) (may be NULL). Destroy it
 * with mailbox_destroy() once empty and no thread uses it. */
void mailbox_init(struct mailbox *mb, void (*wake)(void *arg), void *arg);
void mailbox_destroy(struct mailbox *mb);

/* Move every item of LIST (emptied) to the end of MB. False when MB is
 * closed: nothing is moved, LIST keeps its items. */
bool mailbox_post(struct mailbox *mb, struct mailbox_list *list);
/* Move everything in MB to the end of OUT; true when MB is closed (then no
 * more items ever come). */
bool mailbox_take(struct mailbox *mb, struct mailbox_list *out);
/* No more posts: later ones fail; wakes the receiver. */
void mailbox_close(struct mailbox *mb);

#endif
