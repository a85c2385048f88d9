/* handles: one pool of easy handles for every loop of the run, under one
 * lock; a handle is made outside the lock, when none is free. */
#include "handles.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>

struct handles {
    const struct task_common *tc;
    pthread_mutex_t lock;
    /* (lock) */
    struct handle_list free;
    struct handle_slot *made; /* every handle made, newest first */
    size_t nmade;
};

struct handles *handles_new(const struct task_common *tc)
{
    struct handles *hp = log_calloc(1, sizeof *hp);
    hp->tc = tc;
    TAILQ_INIT(&hp->free);
    if (pthread_mutex_init(&hp->lock, NULL) != 0)
        log_die(LOG_EXIT_INTERNAL, "cannot make a lock");
    return hp;
}

void handles_free(struct handles *hp)
{
    if (!hp)
        return;
    struct handle_slot *s = hp->made;
    while (s) {
        struct handle_slot *next = s->next_made;
        task_common_handle_cleanup(&s->h);
        free(s);
        s = next;
    }
    pthread_mutex_destroy(&hp->lock);
    free(hp);
}

struct handle_slot *handles_get(struct handles *hp)
{
    pthread_mutex_lock(&hp->lock);
    struct handle_slot *s = TAILQ_FIRST(&hp->free);
    if (s)
        TAILQ_REMOVE(&hp->free, s, link);
    pthread_mutex_unlock(&hp->lock);
    if (s)
        return s;
    s = log_calloc(1, sizeof *s);
    task_common_handle_init(hp->tc, &s->h);
    pthread_mutex_lock(&hp->lock);
    s->next_made = hp->made;
    hp->made = s;
    hp->nmade++;
    pthread_mutex_unlock(&hp->lock);
    return s;
}

void handles_put(struct handles *hp, struct handle_slot *s)
{
    s->user = NULL;
    pthread_mutex_lock(&hp->lock);
    TAILQ_INSERT_HEAD(&hp->free, s, link); /* the warmest first */
    pthread_mutex_unlock(&hp->lock);
}

size_t handles_made(struct handles *hp)
{
    pthread_mutex_lock(&hp->lock);
    size_t n = hp->nmade;
    pthread_mutex_unlock(&hp->lock);
    return n;
}
