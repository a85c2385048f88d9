/* sink: a double buffer of stdout's bytes and the one thread that writes
 * it, in pieces small enough never to block for long: a pipe, a terminal or
 * a socket is written PIPE_BUF bytes at a time once poll() says it has
 * room, so the thread looks at its stop flag at least every SINK_POLL_MS
 * even when nobody reads. Idle, it wakes as often to see whether a pipe's
 * or socket's reader is gone. The progress line, when it shares stdout's
 * terminal, is drawn here too, so records and the line never interleave. */
#include "sink.h"
#include "log.h"
#include "run.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The most bytes one write() is given: to a regular file, a block; to
 * anything else, what poll()'s POLLOUT promises room for without blocking
 * (PIPE_BUF on a pipe). Small pieces also keep the count of records written
 * close to the truth. */
#define SINK_FILE_PIECE ((size_t)64 * 1024)
#define SINK_PIECE ((size_t)PIPE_BUF)
/* A block grown past this by a peak of the backlog is freed once written,
 * so that stdout's buffers (which go round between the writer and the
 * sink) do not keep every peak's size for the rest of the run. */
#define SINK_KEEP_BYTES ((size_t)256 * 1024)
/* How long one poll() for room waits before the stop flag is looked at. */
#define SINK_POLL_MS 50

struct sink {
    struct sink_options opt;
    bool regular;        /* stdout is a regular file: writes never wait for a reader */
    bool watch;          /* stdout is a pipe or socket: watched for its reader's going */
    atomic_bool give_up; /* sink_free() on a stuck reader: the thread ends now */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work; /* the thread waits for bytes or the stop */
    pthread_cond_t idle; /* sink_sync waits for the thread */
    /* (lock) */
    struct buf pending; /* handed over, not yet taken by the thread */
    struct sink_ends pending_ends;
    size_t backlog;   /* bytes handed over, not written */
    uint64_t records; /* handed over */
    uint64_t written; /* wholly written */
    bool writing;     /* the thread has a block out of the lock */
    bool stop;
    size_t room_mark;
    bool want_room, want_drained;
    enum sink_status status;
    struct buf status_text; /* the status line to draw */
    bool status_dirty;      /* changed since the thread last drew it */
    /* the thread's own */
    struct buf block;
    struct sink_ends block_ends;
    struct buf line; /* the status line as drawn, "\r\033[K" first */
    bool shown;      /* it is on the terminal now */
};

#define SINK_ERASE "\r\033[K"

void sink_ends_add(struct sink_ends *e, size_t end)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 64;
        e->v = log_realloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->n++] = end;
}

void sink_ends_free(struct sink_ends *e)
{
    free(e->v);
    *e = (struct sink_ends){0};
}

static bool sink_done_locked(const struct sink *s)
{
    return s->status != SINK_OK || (s->backlog == 0 && !s->writing && !s->status_dirty);
}

/* The events due now (lock held): each request is answered once. */
static unsigned sink_due_locked(struct sink *s)
{
    unsigned due = 0;
    if (s->want_room && (s->backlog <= s->room_mark || s->status != SINK_OK)) {
        s->want_room = false;
        due |= 1u << SINK_ROOM;
    }
    if (s->want_drained && sink_done_locked(s)) {
        s->want_drained = false;
        due |= 1u << SINK_DRAINED;
    }
    return due;
}

/* Tell the owner (lock not held). */
static void sink_tell(struct sink *s, unsigned due)
{
    for (int ev = SINK_ROOM; ev <= SINK_STOPPED; ev++)
        if (due & (1u << ev) && s->opt.notify)
            s->opt.notify(s->opt.arg, (enum sink_event)ev);
}

/* One write() of the block from OFF, when stdout has room: the bytes
 * written; 0 to look again (no room yet, EINTR); or -1 with the status to
 * stop with. */
static ssize_t sink_write_once(struct sink *s, size_t off, enum sink_status *st)
{
    if (!s->regular) {
        struct pollfd p = {.fd = s->opt.fd, .events = POLLOUT};
        int r = poll(&p, 1, SINK_POLL_MS);
        if (r == 0 || (r < 0 && errno == EINTR))
            return 0;
        /* ready, or POLLERR / POLLHUP: write() says which */
    }
    size_t len = s->block.len - off, most = s->regular ? SINK_FILE_PIECE : SINK_PIECE;
    ssize_t n = write(s->opt.fd, s->block.p + off, len < most ? len : most);
    if (n > 0)
        return n;
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    *st = n < 0 && errno == EPIPE ? SINK_CLOSED : SINK_ERROR;
    return -1;
}

/* The time TIMEOUT_MS from now, for pthread_cond_timedwait(). */
static struct timespec sink_after(long timeout_ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += timeout_ms / 1000;
    t.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* LEN bytes of P on the status fd, best effort: given up on when the
 * terminal takes nothing and sink_free() is waiting. */
static void sink_write_status(struct sink *s, const char *p, size_t len)
{
    while (len > 0) {
        struct pollfd pf = {.fd = s->opt.status_fd, .events = POLLOUT};
        int r = poll(&pf, 1, SINK_POLL_MS);
        if (r == 0 || (r < 0 && errno == EINTR)) {
            if (atomic_load(&s->give_up))
                return;
            continue;
        }
        ssize_t n = write(s->opt.status_fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

/* Before a block of records: the status line off the terminal. */
static void sink_erase(struct sink *s)
{
    if (s->shown)
        sink_write_status(s, SINK_ERASE, strlen(SINK_ERASE));
    s->shown = false;
}

/* The status line drawn as it is now (erased when it is empty). */
static void sink_draw(struct sink *s)
{
    if (s->line.len > strlen(SINK_ERASE)) {
        sink_write_status(s, s->line.p, s->line.len);
        s->shown = true;
    } else {
        sink_erase(s);
    }
}

/* True when stdout's reader is gone (a pipe with no reader, a socket hung
 * up), seen without writing. */
static bool sink_hung_up(const struct sink *s)
{
    struct pollfd p = {.fd = s->opt.fd, .events = 0};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/* Wait for work (lock held). A watched stdout is looked at every
 * SINK_POLL_MS meanwhile: its reader's going stops the sink as a failed
 * write would. */
static void sink_idle_locked(struct sink *s)
{
    if (!s->watch || s->status != SINK_OK) {
        pthread_cond_wait(&s->work, &s->lock);
        return;
    }
    struct timespec until = sink_after(SINK_POLL_MS);
    if (pthread_cond_timedwait(&s->work, &s->lock, &until) != ETIMEDOUT)
        return;
    if (!sink_hung_up(s))
        return;
    s->status = SINK_CLOSED;
    unsigned due = (1u << SINK_STOPPED) | sink_due_locked(s);
    pthread_mutex_unlock(&s->lock);
    sink_tell(s, due);
    pthread_mutex_lock(&s->lock);
    pthread_cond_broadcast(&s->idle);
}

static void sink_write_block(struct sink *s)
{
    size_t off = 0, end = 0;
    while (off < s->block.len) {
        enum sink_status st = SINK_OK;
        ssize_t n = sink_write_once(s, off, &st);
        if (n == 0) {
            if (atomic_load(&s->give_up))
                return; /* sink_free(): the rest is not written */
            continue;
        }
        pthread_mutex_lock(&s->lock);
        unsigned due = 0;
        if (n < 0) {
            s->status = st;
            due |= 1u << SINK_STOPPED;
        } else {
            off += (size_t)n;
            s->backlog -= (size_t)n;
            while (end < s->block_ends.n && s->block_ends.v[end] <= off) {
                end++;
                s->written++;
            }
        }
        due |= sink_due_locked(s);
        pthread_mutex_unlock(&s->lock);
        sink_tell(s, due);
        if (n < 0)
            return;
    }
}

static void *sink_main(void *arg)
{
    struct sink *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->pending.len && !s->stop && !s->status_dirty)
            sink_idle_locked(s);
        bool redraw = s->status_dirty;
        if (redraw) {
            buf_clear(&s->line);
            buf_adds(&s->line, SINK_ERASE);
            if (s->status_text.len)
                buf_add(&s->line, s->status_text.p, s->status_text.len);
            s->status_dirty = false;
        }
        if (!s->pending.len) {
            if (!redraw)
                break; /* stopped, and nothing left */
            s->writing = true;
            pthread_mutex_unlock(&s->lock);
            sink_draw(s);
            pthread_mutex_lock(&s->lock);
            s->writing = false;
            unsigned due = sink_due_locked(s);
            if (due) {
                pthread_mutex_unlock(&s->lock);
                sink_tell(s, due);
                pthread_mutex_lock(&s->lock);
            }
            pthread_cond_broadcast(&s->idle);
            continue;
        }
        struct buf b = s->block;
        s->block = s->pending;
        s->pending = b;
        buf_clear(&s->pending);
        struct sink_ends e = s->block_ends;
        s->block_ends = s->pending_ends;
        s->pending_ends = e;
        s->pending_ends.n = 0;
        s->writing = true;
        pthread_mutex_unlock(&s->lock);

        sink_erase(s);
        sink_write_block(s);
        sink_draw(s);

        pthread_mutex_lock(&s->lock);
        if (s->block.cap > SINK_KEEP_BYTES) /* a peak's block: not kept */
            buf_free(&s->block);
        buf_clear(&s->block);
        s->block_ends.n = 0;
        s->writing = false;
        if (s->status != SINK_OK) { /* nothing more is written */
            buf_clear(&s->pending);
            s->pending_ends.n = 0;
            s->backlog = 0;
        }
        unsigned due = sink_due_locked(s);
        if (due) { /* told before sink_sync() returns */
            pthread_mutex_unlock(&s->lock);
            sink_tell(s, due);
            pthread_mutex_lock(&s->lock);
        }
        pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

struct sink *sink_new(const struct sink_options *o)
{
    struct sink *s = log_calloc(1, sizeof *s);
    s->opt = *o;
    struct stat sb;
    bool known = fstat(o->fd, &sb) == 0;
    s->regular = known && S_ISREG(sb.st_mode);
    s->watch = known && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode));
    atomic_init(&s->give_up, false);
    if (pthread_mutex_init(&s->lock, NULL) || pthread_cond_init(&s->work, NULL) ||
        pthread_cond_init(&s->idle, NULL))
        log_die(LOG_EXIT_INTERNAL, "cannot make a lock");
    run_thread_start(&s->thread, sink_main, s);
    return s;
}

void sink_free(struct sink *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    bool stuck = !sink_done_locked(s);
    s->stop = true;
    if (stuck) { /* give up on the reader: drop what waits, stop the block */
        buf_clear(&s->pending);
        s->pending_ends.n = 0;
        atomic_store(&s->give_up, true);
    }
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL); /* at most SINK_POLL_MS (or a write to a slow file) */
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->idle);
    buf_free(&s->pending);
    buf_free(&s->block);
    buf_free(&s->status_text);
    buf_free(&s->line);
    sink_ends_free(&s->pending_ends);
    sink_ends_free(&s->block_ends);
    free(s);
}

void sink_put(struct sink *s, struct buf *data, struct sink_ends *ends)
{
    pthread_mutex_lock(&s->lock);
    if (s->status != SINK_OK) {
        pthread_mutex_unlock(&s->lock);
        buf_clear(data);
        ends->n = 0;
        return;
    }
    size_t base = s->pending.len, n = data->len;
    if (base == 0) { /* the usual case: swap the blocks, copy nothing */
        struct buf b = s->pending;
        s->pending = *data;
        *data = b;
        buf_clear(data);
    } else {
        buf_add(&s->pending, data->p, data->len);
        buf_clear(data);
    }
    for (size_t i = 0; i < ends->n; i++)
        sink_ends_add(&s->pending_ends, base + ends->v[i]);
    s->records += ends->n;
    ends->n = 0;
    s->backlog += n;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
}

void sink_status_line(struct sink *s, const char *line, size_t len)
{
    pthread_mutex_lock(&s->lock);
    buf_clear(&s->status_text);
    if (len)
        buf_add(&s->status_text, line, len);
    s->status_dirty = true;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
}

enum sink_status sink_status(struct sink *s)
{
    pthread_mutex_lock(&s->lock);
    enum sink_status st = s->status;
    pthread_mutex_unlock(&s->lock);
    return st;
}

size_t sink_backlog(struct sink *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->backlog;
    pthread_mutex_unlock(&s->lock);
    return n;
}

uint64_t sink_unwritten(struct sink *s)
{
    pthread_mutex_lock(&s->lock);
    uint64_t n = s->records - s->written;
    pthread_mutex_unlock(&s->lock);
    return n;
}

bool sink_want_room(struct sink *s, size_t mark)
{
    pthread_mutex_lock(&s->lock);
    bool now = s->backlog <= mark || s->status != SINK_OK;
    s->want_room = !now;
    s->room_mark = mark;
    pthread_mutex_unlock(&s->lock);
    return now;
}

bool sink_want_drained(struct sink *s)
{
    pthread_mutex_lock(&s->lock);
    bool now = sink_done_locked(s);
    s->want_drained = !now;
    pthread_mutex_unlock(&s->lock);
    return now;
}

bool sink_sync(struct sink *s, long timeout_ms)
{
    struct timespec until = sink_after(timeout_ms >= 0 ? timeout_ms : 0);
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    while (!sink_done_locked(s) && rc == 0)
        rc = timeout_ms < 0 ? pthread_cond_wait(&s->idle, &s->lock)
                            : pthread_cond_timedwait(&s->idle, &s->lock, &until);
    bool done = sink_done_locked(s);
    pthread_mutex_unlock(&s->lock);
    return done;
}
