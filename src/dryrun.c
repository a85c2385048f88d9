/* dryrun: the lines a run would handle, printed instead of fetched. */
#include "dryrun.h"
#include "clock.h"
#include "log.h"
#include "task.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#define DRYRUN_FLUSH_AT (64 * 1024)

/* Write B to FD; 0, or the exit status of the failure. */
static int dryrun_flush(int fd, struct buf *b)
{
    for (size_t done = 0; done < b->len;) {
        ssize_t n = write(fd, b->p + done, b->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 && errno == EPIPE ? 141 : 4;
        done += (size_t)n;
    }
    buf_clear(b);
    return 0;
}

int dryrun_run(const struct config *cfg, struct input *in, struct filter *f, int fd)
{
    struct task_common *tc = task_common_new(cfg, NULL, NULL); /* no share, no jq: nothing runs */
    struct task t = {0};
    task_init(&t);
    struct buf out = {0};
    int status = 0;
    bool input_failed = false;
    uint64_t seq = 0;
    for (bool done = false; !done && status == 0;) {
        struct input_line l;
        switch (input_next(in, &l)) {
        case INPUT_LINE:
            seq++;
            if (!filter_line(f, l.text, l.len) || filter_done_quick(f, tc, &l))
                break;
            task_reset(&t);
            task_from_line(&t, tc, &l, seq, clock_now_us());
            if (!filter_task(f, &t, tc))
                break;
            buf_add(&out, l.text, l.len);
            buf_addc(&out, '\n');
            if (out.len >= DRYRUN_FLUSH_AT)
                status = dryrun_flush(fd, &out);
            break;
        case INPUT_AGAIN: {
            struct pollfd p = {.fd = input_fd(in), .events = POLLIN};
            while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;
            break;
        }
        case INPUT_EOF:
            done = true;
            break;
        case INPUT_ERROR:
            log_warn("%s", input_error(in));
            input_failed = true;
            break;
        }
    }
    if (status == 0)
        status = dryrun_flush(fd, &out);
    buf_free(&out);
    task_free(&t);
    task_common_free(tc);
    return status == 0 && input_failed ? 2 : status;
}
