/* mailbox: batches of intrusive items under one lock, and the receiver's
 * wake-up when a batch lands in an empty box. */
#include "mailbox.h"
#include "log.h"

void mailbox_list_add(struct mailbox_list *list, struct mailbox_link *l)
{
    l->next = NULL;
    if (list->tail)
        list->tail->next = l;
    else
        list->head = l;
    list->tail = l;
    list->n++;
}

struct mailbox_link *mailbox_list_pop(struct mailbox_list *list)
{
    struct mailbox_link *l = list->head;
    if (!l)
        return NULL;
    list->head = l->next;
    if (!list->head)
        list->tail = NULL;
    list->n--;
    l->next = NULL;
    return l;
}

/* Append all of FROM to TO; FROM becomes empty. */
static void mailbox_splice(struct mailbox_list *to, struct mailbox_list *from)
{
    if (!from->head)
        return;
    if (to->tail)
        to->tail->next = from->head;
    else
        to->head = from->head;
    to->tail = from->tail;
    to->n += from->n;
    *from = (struct mailbox_list){0};
}

void mailbox_init(struct mailbox *mb, void (*wake)(void *arg), void *arg)
{
    *mb = (struct mailbox){.wake = wake, .arg = arg};
    if (pthread_mutex_init(&mb->lock, NULL) != 0)
        log_die(LOG_EXIT_INTERNAL, "cannot make a lock");
}

void mailbox_destroy(struct mailbox *mb)
{
    pthread_mutex_destroy(&mb->lock);
}

bool mailbox_post(struct mailbox *mb, struct mailbox_list *list)
{
    if (!list->head)
        return true;
    pthread_mutex_lock(&mb->lock);
    if (mb->closed) {
        pthread_mutex_unlock(&mb->lock);
        return false;
    }
    bool was_empty = mb->items.head == NULL;
    mailbox_splice(&mb->items, list);
    pthread_mutex_unlock(&mb->lock);
    if (was_empty && mb->wake)
        mb->wake(mb->arg);
    return true;
}

bool mailbox_take(struct mailbox *mb, struct mailbox_list *out)
{
    pthread_mutex_lock(&mb->lock);
    mailbox_splice(out, &mb->items);
    bool closed = mb->closed;
    pthread_mutex_unlock(&mb->lock);
    return closed;
}

void mailbox_close(struct mailbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    bool was = mb->closed;
    mb->closed = true;
    pthread_mutex_unlock(&mb->lock);
    if (!was && mb->wake)
        mb->wake(mb->arg);
}
