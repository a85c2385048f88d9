/* filter: --shard and --resume, applied to each line before it is work. */
#include "filter.h"
#include "clock.h"
#include "log.h"
#include "resume.h"
#include "shard.h"

#include <stdlib.h>

struct filter {
    const struct config *cfg;
    struct resume *done; /* NULL: no --resume */
    struct buf key, url;
};

struct filter *filter_new(const struct config *cfg, struct buf *err)
{
    struct filter *f = log_calloc(1, sizeof *f);
    f->cfg = cfg;
    if (cfg->nresume) {
        struct resume_options ro = {
            .failed_only = cfg->resume_failed,
            .max_age_ms = cfg->max_age_ms > 0 ? cfg->max_age_ms : -1,
            .now_wall_ms = clock_wall_ms(),
        };
        f->done = resume_load(cfg->resume, cfg->nresume, &ro, err);
        if (!f->done) {
            free(f);
            return NULL;
        }
    }
    return f;
}

void filter_free(struct filter *f)
{
    if (!f)
        return;
    resume_free(f->done);
    buf_free(&f->key);
    buf_free(&f->url);
    free(f);
}

bool filter_line(struct filter *f, const char *text, size_t len)
{
    const struct config *cfg = f->cfg;
    if (cfg->shard_n == 0)
        return true;
    return shard_of((enum shard_by)cfg->shard_by, cfg->proto_default, text, len, cfg->shard_n,
                    &f->key) == cfg->shard_k;
}

bool filter_done_quick(struct filter *f, const struct task_common *tc, const struct input_line *l)
{
    return f->done && task_quick_key(tc, l, &f->url, &f->key) &&
           resume_done(f->done, f->key.p, f->key.len);
}

bool filter_task(struct filter *f, struct task *t, const struct task_common *tc)
{
    if (!f->done)
        return true;
    task_key(t, tc, &f->key);
    return !resume_done(f->done, f->key.p, f->key.len);
}

bool filter_stdout_torn(const struct filter *f, int fd)
{
    return f->done && resume_needs_newline(f->done, fd);
}
