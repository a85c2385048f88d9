/* sched: slots (the semaphore), per-origin queues with caps and start
 * spacing, retry timers, the handle pool, record emission and the one
 * cancellation path. */
#include "sched.h"
#include "clock.h"
#include "evcurl.h"
#include "log.h"
#include "retry.h"
#include "spec.h"
#include "task.h"
#include "url.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One easy handle of the pool and the task using it. */
struct slot {
    CURL *easy;
    struct task *task;
    bool custom; /* EASY carries a request spec's options */
    char errbuf[CURL_ERROR_SIZE];
};

/* Per-origin (scheme://host:port) state. Without --per-host and
 * --rate-per-host every task shares one origin and none of this costs. */
struct origin {
    struct origin *hnext;
    char *key;
    uint64_t hash;
    struct task *head, *tail; /* queued, in seq order */
    long inflight;
    long waiting;       /* tasks waiting to retry */
    int64_t next_start; /* --rate-per-host: earliest next start (µs) */
    size_t ready_pos;   /* 1-based index in the ready heap, 0: not there */
    size_t timed_pos;   /* 1-based index in the timed heap, 0: not there */
};

/* A binary min-heap of origins; KEY orders them. */
struct heap {
    struct origin **v;
    size_t n, cap;
    bool by_time; /* key: next_start; else the seq of the queue's head */
};

struct sched {
    struct event_base *base;
    const struct config *cfg;
    struct input *in;
    struct output *out;
    struct report *rep;
    struct evcurl *ec;
    struct task_common *tc;
    struct retry_policy retry;

    struct slot *slots; /* cfg->parallel of them */
    int *free_slots;    /* a stack of unused slot indexes */
    long nfree;

    bool per_origin;      /* --per-host or --rate-per-host given */
    struct origin one;    /* the only origin when !per_origin */
    struct origin **hash; /* origins by key, when per_origin */
    struct buf key;       /* scratch for origin keys */
    size_t nbuckets, norigins;
    struct heap ready;   /* origins that may start their head now */
    struct heap timed;   /* origins waiting for their next start time */
    int64_t next_global; /* --rate: earliest next start (µs) */
    struct event *wake_ev;

    long queued;            /* read, waiting for a slot */
    long waiting;           /* waiting to retry */
    struct task *wait_head; /* the tasks waiting to retry */
    long readahead;
    struct task *spare; /* freed tasks kept for reuse */
    uint64_t rng;

    uint64_t seq; /* the last seq handed out */
    bool input_done;
    bool input_waiting; /* the input event is armed */
    bool input_failed;
    struct event *input_ev;
    struct event *sigint_ev, *sigterm_ev, *deadline_ev;
    enum sched_end cancel; /* SCHED_DONE: not cancelled */
    const char *cancel_why;
    uint64_t failures;

    int64_t t0;
    struct output_summary sum;
};

/* ---- heaps -------------------------------------------------------------- */

static size_t *heap_pos(const struct heap *h, struct origin *o)
{
    return h->by_time ? &o->timed_pos : &o->ready_pos;
}

static uint64_t heap_key(const struct heap *h, const struct origin *o)
{
    return h->by_time ? (uint64_t)o->next_start : o->head->seq;
}

static void heap_set(struct heap *h, size_t i, struct origin *o)
{
    h->v[i] = o;
    *heap_pos(h, o) = i + 1;
}

static void heap_up(struct heap *h, size_t i)
{
    struct origin *o = h->v[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (heap_key(h, h->v[p]) <= heap_key(h, o))
            break;
        heap_set(h, i, h->v[p]);
        i = p;
    }
    heap_set(h, i, o);
}

static void heap_down(struct heap *h, size_t i)
{
    struct origin *o = h->v[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && heap_key(h, h->v[c + 1]) < heap_key(h, h->v[c]))
            c++;
        if (heap_key(h, o) <= heap_key(h, h->v[c]))
            break;
        heap_set(h, i, h->v[c]);
        i = c;
    }
    heap_set(h, i, o);
}

static void heap_remove(struct heap *h, struct origin *o)
{
    size_t *pos = heap_pos(h, o);
    if (!*pos)
        return;
    size_t i = *pos - 1;
    *pos = 0;
    struct origin *last = h->v[--h->n];
    if (last == o)
        return;
    h->v[i] = last;
    heap_up(h, i);
    heap_down(h, *heap_pos(h, last) - 1);
}

/* Insert O, or move it to its place after its key changed. */
static void heap_put(struct heap *h, struct origin *o)
{
    size_t *pos = heap_pos(h, o);
    if (*pos) {
        heap_up(h, *pos - 1);
        heap_down(h, *pos - 1);
        return;
    }
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 16;
        h->v = log_realloc(h->v, h->cap * sizeof *h->v);
    }
    h->v[h->n] = o;
    *pos = ++h->n;
    heap_up(h, h->n - 1);
}

/* ---- origins ------------------------------------------------------------ */

/* scheme://host:port of URL, lower case, default port filled in. */
static void sched_origin_key(const char *url, struct buf *key)
{
    const char *sep = strstr(url, "://");
    size_t slen = sep ? (size_t)(sep - url) : 0;
    const char *auth = sep ? sep + 3 : url;
    size_t alen = strcspn(auth, "/?#");
    for (size_t i = alen; i > 0; i--) /* drop userinfo */
        if (auth[i - 1] == '@') {
            alen -= i;
            auth += i;
            break;
        }
    buf_clear(key);
    for (size_t i = 0; i < slen; i++)
        buf_addc(key, (char)(url[i] | 0x20));
    buf_add(key, "://", 3);
    bool port = false;
    for (size_t i = 0; i < alen; i++) {
        char c = auth[i];
        if (c == ']')
            port = false;
        else if (c == ':')
            port = true;
        buf_addc(key, c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c);
    }
    if (!port)
        buf_adds(key, slen == 5 ? ":443" : ":80");
}

static uint64_t sched_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct origin *sched_origin_get(struct sched *s, const char *url)
{
    if (!s->per_origin)
        return &s->one;
    struct buf *key = &s->key;
    sched_origin_key(url, key);
    uint64_t h = sched_hash(key->p);
    struct origin **b = &s->hash[h & (s->nbuckets - 1)];
    for (struct origin *o = *b; o; o = o->hnext)
        if (o->hash == h && strcmp(o->key, key->p) == 0)
            return o;
    struct origin *o = log_calloc(1, sizeof *o);
    o->key = log_strdup(key->p);
    o->hash = h;
    o->hnext = *b;
    *b = o;
    if (++s->norigins > 2 * s->nbuckets) { /* grow: rehash every chain */
        size_t n = s->nbuckets * 4;
        struct origin **nb = log_calloc(n, sizeof *nb);
        for (size_t i = 0; i < s->nbuckets; i++)
            for (struct origin *x = s->hash[i], *next; x; x = next) {
                next = x->hnext;
                x->hnext = nb[x->hash & (n - 1)];
                nb[x->hash & (n - 1)] = x;
            }
        free(s->hash);
        s->hash = nb;
        s->nbuckets = n;
    }
    return o;
}

static void sched_origin_free(struct sched *s, struct origin *o)
{
    struct origin **b = &s->hash[o->hash & (s->nbuckets - 1)];
    while (*b != o)
        b = &(*b)->hnext;
    *b = o->hnext;
    s->norigins--;
    free(o->key);
    free(o);
}

/* Put O where its state says: ready to start, waiting for its start time,
 * blocked by its cap (no heap), or gone when idle. */
static void sched_origin_update(struct sched *s, struct origin *o, int64_t now)
{
    long cap = s->cfg->per_host;
    bool rate_wait = s->cfg->rate_host_us && o->next_start > now;
    if (o->head && (cap == 0 || o->inflight < cap)) {
        if (rate_wait) {
            heap_remove(&s->ready, o);
            heap_put(&s->timed, o);
        } else {
            heap_remove(&s->timed, o);
            heap_put(&s->ready, o);
        }
        return;
    }
    heap_remove(&s->ready, o);
    if (!o->head && o->inflight == 0 && o->waiting == 0 && o != &s->one) {
        if (rate_wait) { /* keep its spacing until the time has passed */
            heap_put(&s->timed, o);
        } else {
            heap_remove(&s->timed, o);
            sched_origin_free(s, o);
        }
        return;
    }
    heap_remove(&s->timed, o);
}

static void sched_origin_push(struct sched *s, struct origin *o, struct task *t)
{
    /* in seq order; a retry usually goes to the front */
    struct task **p = &o->head;
    while (*p && (*p)->seq < t->seq)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    if (!t->next)
        o->tail = t;
    s->queued++;
}

static struct task *sched_origin_pop(struct sched *s, struct origin *o)
{
    struct task *t = o->head;
    o->head = t->next;
    if (!o->head)
        o->tail = NULL;
    t->next = NULL;
    s->queued--;
    return t;
}

/* ---- tasks -------------------------------------------------------------- */

static void sched_on_retry(evutil_socket_t fd, short events, void *arg);

static struct task *sched_task_get(struct sched *s)
{
    struct task *t = s->spare;
    if (t) {
        s->spare = t->next;
    } else {
        t = log_calloc(1, sizeof *t);
        task_init(t);
        t->owner = s;
        t->retry_ev = evtimer_new(s->base, sched_on_retry, t);
        if (!t->retry_ev)
            log_die(LOG_EXIT_INTERNAL, "out of memory");
    }
    task_reset(t);
    return t;
}

static void sched_task_put(struct sched *s, struct task *t)
{
    t->next = s->spare;
    s->spare = t;
}

static void sched_cancel(struct sched *s, enum sched_end why, const char *text)
{
    if (s->cancel != SCHED_DONE)
        return;
    s->cancel = why;
    s->cancel_why = text;
}

static void sched_emit(struct sched *s, struct task *t)
{
    const struct record *r = &t->rec;
    s->sum.urls++;
    if (r->ok)
        s->sum.ok++;
    s->sum.by_kind[r->kind]++;
    output_record(s->out, r);
    report_record(s->rep, r);
    if (output_should_flush(s->out))
        output_flush(s->out);
    if (!r->ok && r->kind != KIND_CANCELLED &&
        !(r->kind == KIND_TIMEOUT && s->cfg->allow_timeouts)) {
        s->failures++;
        if (s->cfg->fail_fast)
            sched_cancel(s, SCHED_FAILURES, "cancelled by --fail-fast");
        else if (s->cfg->max_failures && s->failures >= (uint64_t)s->cfg->max_failures)
            sched_cancel(s, SCHED_FAILURES, "cancelled by --max-failures");
    }
}

/* ---- transfers ---------------------------------------------------------- */

static void sched_start(struct sched *s, struct task *t, int64_t now)
{
    int i = s->free_slots[--s->nfree];
    struct slot *sl = &s->slots[i];
    if (!sl->easy)
        sl->easy = task_easy_new(s->tc, sl->errbuf);
    sl->task = t;
    task_apply_request(t, s->tc, sl->easy, &sl->custom);
    task_attach(t, s->tc, sl->easy, i, sl->errbuf, now);
    ((struct origin *)t->origin)->inflight++;
    evcurl_add(s->ec, sl->easy);
}

static void sched_release(struct sched *s, struct task *t)
{
    s->slots[t->slot].task = NULL;
    s->free_slots[s->nfree++] = t->slot;
    t->slot = -1;
    t->easy = NULL;
    ((struct origin *)t->origin)->inflight--;
}

static uint32_t sched_random(struct sched *s)
{
    uint64_t x = s->rng; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return (uint32_t)((x * 2685821657736338717ULL) >> 32);
}

/* How long to wait before T's next attempt, or -1 for none. */
static long sched_retry_delay(struct sched *s, struct task *t, CURLcode result)
{
    if (s->cfg->retries == 0 || s->cancel != SCHED_DONE)
        return -1;
    const struct record *r = &t->rec;
    struct retry_attempt a = {
        .kind = r->kind,
        .curl_code = (long)result,
        .http_code = r->http_code,
        .idempotent = retry_idempotent(r->method),
        .attempts = t->attempts,
        .retry_after_ms = -1,
    };
    struct curl_header *h = NULL;
    if (r->http_code > 0 &&
        curl_easy_header(t->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h)
        a.retry_after_ms = retry_parse_after(h->value, time(NULL));
    return retry_decide(&s->retry, &a, sched_random(s));
}

static void sched_on_done(void *arg, CURL *easy, CURLcode result)
{
    struct sched *s = arg;
    struct task *t = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
    int64_t now = clock_now_us();
    task_finish(t, s->tc, result, now);
    long delay = sched_retry_delay(s, t, result);
    struct origin *o = t->origin;
    if (delay >= 0) { /* wait on a timer, holding no slot */
        sched_release(s, t);
        o->waiting++;
        s->waiting++;
        t->wnext = s->wait_head;
        if (s->wait_head)
            s->wait_head->wprev = t;
        t->wprev = NULL;
        s->wait_head = t;
        struct timeval tv = clock_timeval_ms(delay);
        evtimer_add(t->retry_ev, &tv);
    } else {
        sched_emit(s, t); /* before the handle is reused: the record borrows it */
        sched_release(s, t);
        sched_task_put(s, t);
    }
    sched_origin_update(s, o, now);
}

static void sched_unwait(struct sched *s, struct task *t)
{
    if (t->wprev)
        t->wprev->wnext = t->wnext;
    else
        s->wait_head = t->wnext;
    if (t->wnext)
        t->wnext->wprev = t->wprev;
    t->wprev = t->wnext = NULL;
    ((struct origin *)t->origin)->waiting--;
    s->waiting--;
}

static void sched_on_retry(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct task *t = arg;
    struct sched *s = t->owner;
    sched_unwait(s, t);
    struct origin *o = t->origin;
    sched_origin_push(s, o, t);
    sched_origin_update(s, o, clock_now_us());
}

/* ---- input -------------------------------------------------------------- */

static void sched_on_input(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct sched *s = arg;
    s->input_waiting = false;
}

static void sched_input_error(struct sched *s, struct task *t, const char *text, size_t len)
{
    buf_clear(&t->shown);
    url_clip(text, len, &t->shown);
    task_input_error(t, s->tc);
    sched_emit(s, t);
    sched_task_put(s, t);
}

static void sched_accept(struct sched *s, const struct input_line *l, int64_t now)
{
    struct task *t = sched_task_get(s);
    t->seq = ++s->seq;
    t->t_read = now;
    buf_adds(&t->label, l->source);
    buf_addc(&t->label, ':');
    buf_add_u64(&t->label, l->lineno);
    if (l->too_long) {
        t->input_error = "line longer than 64 KiB";
        sched_input_error(s, t, l->text, l->len);
        return;
    }
    const char *url = l->text;
    size_t len = l->len;
    if (l->text[0] == '{') { /* a JSON request spec */
        struct spec sp;
        buf_clear(&t->message);
        if (!spec_parse(l->text, l->len, &sp, &t->message) ||
            !task_set_spec(t, s->tc, &sp, &t->message)) {
            t->input_error = buf_str(&t->message); /* the task owns the text */
            sched_input_error(s, t, l->text, l->len);
            return;
        }
        url = t->spec.url;
        len = strlen(url);
    }
    if (!t->parsed)
        t->parsed = url_checker_new();
    t->input_error = url_prepare(t->parsed, url, len, s->cfg->proto_default, &t->url);
    if (t->input_error) {
        sched_input_error(s, t, url, len);
        return;
    }
    if (url_has_password(t->url.p))
        url_redact(t->url.p, &t->shown);
    struct origin *o = sched_origin_get(s, t->url.p);
    t->origin = o;
    sched_origin_push(s, o, t);
    sched_origin_update(s, o, now);
}

/* ---- the pump ----------------------------------------------------------- */

/* Start what the slots, caps and rates allow; read ahead to refill. */
static void sched_pump(struct sched *s)
{
    int64_t now = clock_now_us();
    for (;;) {
        if (s->cancel != SCHED_DONE)
            return; /* a record just written tripped --fail-fast or --max-failures */
        while (s->timed.n && s->timed.v[0]->next_start <= now)
            sched_origin_update(s, s->timed.v[0], now);
        while (s->nfree > 0 && s->ready.n && !(s->cfg->rate_us && now < s->next_global)) {
            struct origin *o = s->ready.v[0];
            struct task *t = sched_origin_pop(s, o);
            sched_start(s, t, now);
            if (s->cfg->rate_host_us)
                o->next_start = now + s->cfg->rate_host_us;
            if (s->cfg->rate_us)
                s->next_global = now + s->cfg->rate_us;
            sched_origin_update(s, o, now);
        }
        if (s->cancel != SCHED_DONE)
            return;
        if (s->input_done || s->input_waiting || s->queued + s->waiting >= s->readahead ||
            !output_can_accept(s->out, s->seq + 1))
            break;
        struct input_line l;
        switch (input_next(s->in, &l)) {
        case INPUT_LINE:
            sched_accept(s, &l, now);
            break;
        case INPUT_AGAIN:
            if (event_assign(s->input_ev, s->base, input_fd(s->in), EV_READ, sched_on_input, s) ||
                event_add(s->input_ev, NULL))
                log_die(LOG_EXIT_INTERNAL, "cannot watch the input");
            s->input_waiting = true;
            break;
        case INPUT_EOF:
            s->input_done = true;
            break;
        case INPUT_ERROR:
            log_warn("%s", input_error(s->in));
            s->input_failed = true;
            break;
        }
    }
    /* wake up when the next start is due */
    int64_t wake = -1;
    if (s->cfg->rate_us && s->nfree > 0 && s->ready.n && now < s->next_global)
        wake = s->next_global;
    if (s->timed.n && (wake < 0 || s->timed.v[0]->next_start < wake))
        wake = s->timed.v[0]->next_start;
    if (wake >= 0) {
        struct timeval tv = clock_timeval_us(wake - now);
        evtimer_add(s->wake_ev, &tv);
    }
}

/* ---- cancellation ------------------------------------------------------- */

static void sched_on_signal(evutil_socket_t sig, short events, void *arg)
{
    (void)events;
    struct sched *s = arg;
    if (sig == SIGINT)
        sched_cancel(s, SCHED_SIGINT, "interrupted by SIGINT");
    else
        sched_cancel(s, SCHED_SIGTERM, "terminated by SIGTERM");
}

static void sched_on_deadline(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    sched_cancel(arg, SCHED_DEADLINE, "cancelled by --deadline");
}

static void sched_on_wake(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    (void)arg; /* the pump after this loop pass starts what is due */
}

/* Every origin, for a walk over all queued tasks. */
static void sched_each_origin(struct sched *s, void (*fn)(struct sched *, struct origin *))
{
    if (!s->per_origin) {
        fn(s, &s->one);
        return;
    }
    for (size_t i = 0; i < s->nbuckets; i++)
        for (struct origin *o = s->hash[i], *next; o; o = next) {
            next = o->hnext;
            fn(s, o);
        }
}

static void sched_cancel_queue(struct sched *s, struct origin *o)
{
    int64_t now = clock_now_us();
    while (o->head) {
        struct task *t = sched_origin_pop(s, o);
        task_cancelled(t, s->tc, s->cancel_why, false, now);
        sched_emit(s, t);
        sched_task_put(s, t);
    }
}

/* The one cancellation path: abort what runs, cancel what waits, read no
 * more. Every line read gets exactly one record. */
static void sched_cancel_all(struct sched *s)
{
    int64_t now = clock_now_us();
    for (long i = 0; i < s->cfg->parallel; i++) {
        struct task *t = s->slots[i].task;
        if (!t)
            continue;
        evcurl_remove(s->ec, t->easy);
        task_cancelled(t, s->tc, s->cancel_why, true, now);
        sched_emit(s, t);
        sched_release(s, t);
        sched_task_put(s, t);
    }
    while (s->wait_head) {
        struct task *t = s->wait_head;
        evtimer_del(t->retry_ev);
        sched_unwait(s, t);
        task_cancelled(t, s->tc, s->cancel_why, false, now);
        sched_emit(s, t);
        sched_task_put(s, t);
    }
    sched_each_origin(s, sched_cancel_queue);
    s->input_done = true;
    if (s->input_waiting)
        event_del(s->input_ev);
    s->input_waiting = false;
}

static void sched_drop_queue(struct sched *s, struct origin *o)
{
    while (o->head)
        sched_task_put(s, sched_origin_pop(s, o));
}

/* Stdout is gone: stop at once, writing nothing more. */
static void sched_abandon(struct sched *s)
{
    for (long i = 0; i < s->cfg->parallel; i++) {
        struct task *t = s->slots[i].task;
        if (!t)
            continue;
        evcurl_remove(s->ec, t->easy);
        sched_release(s, t);
        sched_task_put(s, t);
    }
    while (s->wait_head) {
        struct task *t = s->wait_head;
        evtimer_del(t->retry_ev);
        sched_unwait(s, t);
        sched_task_put(s, t);
    }
    sched_each_origin(s, sched_drop_queue);
}

/* ---- the loop ----------------------------------------------------------- */

static struct event *sched_event(struct event *ev)
{
    if (!ev)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    return ev;
}

struct sched *sched_new(struct event_base *base, const struct config *cfg, struct input *in,
                        struct output *out, struct report *rep)
{
    struct sched *s = log_calloc(1, sizeof *s);
    s->rep = rep;
    s->base = base;
    s->cfg = cfg;
    s->in = in;
    s->out = out;
    s->ec = evcurl_new(base, sched_on_done, s);
    s->tc = task_common_new(cfg);
    s->retry = (struct retry_policy){cfg->retries, cfg->retry_delay_ms, cfg->retry_max_delay_ms,
                                     cfg->retry_all_errors};
    s->slots = log_calloc((size_t)cfg->parallel, sizeof *s->slots);
    s->free_slots = log_calloc((size_t)cfg->parallel, sizeof *s->free_slots);
    for (long i = 0; i < cfg->parallel; i++)
        s->free_slots[i] = (int)(cfg->parallel - 1 - i);
    s->nfree = cfg->parallel;
    s->readahead = 2 * cfg->parallel;
    s->per_origin = cfg->per_host > 0 || cfg->rate_host_us > 0;
    if (s->per_origin) {
        s->nbuckets = 64;
        s->hash = log_calloc(s->nbuckets, sizeof *s->hash);
    }
    s->timed.by_time = true;
    s->rng = (uint64_t)clock_now_us() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
    s->input_ev = sched_event(event_new(base, -1, 0, NULL, NULL));
    s->wake_ev = sched_event(evtimer_new(base, sched_on_wake, s));
    s->sigint_ev = sched_event(evsignal_new(base, SIGINT, sched_on_signal, s));
    s->sigterm_ev = sched_event(evsignal_new(base, SIGTERM, sched_on_signal, s));
    s->deadline_ev = sched_event(evtimer_new(base, sched_on_deadline, s));
    event_add(s->sigint_ev, NULL);
    event_add(s->sigterm_ev, NULL);
    return s;
}

static void sched_free_origin(struct sched *s, struct origin *o)
{
    sched_drop_queue(s, o);
    if (o != &s->one) {
        free(o->key);
        free(o);
    }
}

void sched_free(struct sched *s)
{
    if (!s)
        return;
    evcurl_free(s->ec); /* every handle was removed before */
    for (long i = 0; i < s->cfg->parallel; i++)
        if (s->slots[i].easy)
            curl_easy_cleanup(s->slots[i].easy);
    if (s->per_origin) {
        for (size_t i = 0; i < s->nbuckets; i++)
            for (struct origin *o = s->hash[i], *next; o; o = next) {
                next = o->hnext;
                sched_free_origin(s, o);
            }
        free(s->hash);
    } else {
        sched_drop_queue(s, &s->one);
    }
    while (s->spare) {
        struct task *t = s->spare;
        s->spare = t->next;
        event_free(t->retry_ev);
        task_free(t);
        free(t);
    }
    free(s->ready.v);
    free(s->timed.v);
    buf_free(&s->key);
    event_free(s->input_ev);
    event_free(s->wake_ev);
    event_free(s->sigint_ev);
    event_free(s->sigterm_ev);
    event_free(s->deadline_ev);
    task_common_free(s->tc);
    free(s->slots);
    free(s->free_slots);
    free(s);
}

enum sched_end sched_run(struct sched *s)
{
    s->t0 = clock_now_us();
    if (s->cfg->deadline_ms) {
        struct timeval tv = clock_timeval_ms(s->cfg->deadline_ms);
        evtimer_add(s->deadline_ev, &tv);
    }
    sched_pump(s);
    output_flush(s->out);
    while (output_status(s->out) == OUTPUT_OK) {
        if (s->cancel != SCHED_DONE) {
            sched_cancel_all(s);
            break;
        }
        if (s->input_done && s->queued == 0 && s->waiting == 0 && s->nfree == s->cfg->parallel)
            break;
        event_base_loop(s->base, EVLOOP_ONCE);
        evcurl_drain(s->ec);
        if (s->cancel == SCHED_DONE)
            sched_pump(s);
        output_flush(s->out);
    }
    s->sum.elapsed_us = clock_now_us() - s->t0;
    if (output_status(s->out) == OUTPUT_OK)
        output_finish(s->out, &s->sum);
    switch (output_status(s->out)) {
    case OUTPUT_CLOSED:
        sched_abandon(s);
        return SCHED_CLOSED;
    case OUTPUT_ERROR:
        sched_abandon(s);
        return SCHED_OUT_ERROR;
    case OUTPUT_OK:
        break;
    }
    return s->cancel;
}

const struct output_summary *sched_summary(const struct sched *s)
{
    return &s->sum;
}

bool sched_input_failed(const struct sched *s)
{
    return s->input_failed;
}

void sched_progress(void *arg, struct progress_counts *c)
{
    const struct sched *s = arg;
    c->done = s->sum.urls;
    c->failed = s->sum.urls - s->sum.ok - s->sum.by_kind[KIND_CANCELLED];
    c->inflight = s->cfg->parallel - s->nfree;
    c->elapsed_us = clock_now_us() - s->t0;
}
