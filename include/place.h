/* place: which event loop a task goes to. With a per-origin cap or rate
 * (--per-host, --rate-per-host) an origin belongs to one loop, chosen by the
 * hash of its key (FNV-1a-64 of origin_key() mod N), so the cap and the
 * spacing stay exact with no lock between loops. Otherwise a task goes to
 * the less loaded of two loops, the next in turn and one at random: O(1)
 * per task whatever the number of loops, and within a task or two of the
 * least loaded one. Pure: the loads come through a callback. */
#ifndef VOLLEY_PLACE_H
#define VOLLEY_PLACE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* The load of loop I (tasks placed there and not yet finished). */
typedef long (*place_load_fn)(void *arg, int i);

struct place {
    int n;          /* loops */
    bool by_origin; /* an origin belongs to one loop */
    int next;       /* the next in turn */
    uint64_t rng;
    struct buf key; /* scratch */
    place_load_fn load;
    void *arg;
};

/* Make P for N loops (N >= 1); BY_ORIGIN: --per-host or --rate-per-host
 * given; SEED: any number (the random choice's). Free with place_free(). */
void place_init(struct place *p, int n, bool by_origin, uint64_t seed, place_load_fn load,
                void *arg);
void place_free(struct place *p);

/* The loop (0..N-1) for a task fetching URL (as url_prepare() made it). */
int place_pick(struct place *p, const char *url);

/* The loop of origin KEY (origin_key()'s text) among N loops. */
int place_origin(const char *key, int n);

#endif
