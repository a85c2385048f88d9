/* main: parse the command line, build the loop, the input, the writer and
 * the scheduler, run, finish the writer and map the outcome to an exit
 * status. Nothing else. */
#include "cli.h"
#include "dryrun.h"
#include "filter.h"
#include "input.h"
#include "jqw.h"
#include "log.h"
#include "prepare.h"
#include "progress.h"
#include "report.h"
#include "sched.h"
#include "share.h"
#include "summarize.h"
#include "writer.h"

#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,
    EXIT_USAGE = 2,
    EXIT_FETCH = 3,
    EXIT_INTERNAL = 4,
    EXIT_DEADLINE = 124,
    EXIT_SIGHUP = 129,
    EXIT_SIGINT = 130,
    EXIT_PIPE = 141,
    EXIT_SIGTERM = 143,
};

static int main_status(enum sched_end end, const struct output_summary *s, const struct config *cfg,
                       bool input_failed)
{
    switch (end) {
    case SCHED_SIGINT:
        return EXIT_SIGINT;
    case SCHED_SIGTERM:
        return EXIT_SIGTERM;
    case SCHED_SIGHUP:
        return EXIT_SIGHUP;
    case SCHED_DEADLINE:
        return EXIT_DEADLINE;
    case SCHED_CLOSED:
        return EXIT_PIPE;
    case SCHED_OUT_ERROR:
        return EXIT_INTERNAL;
    case SCHED_DONE:
    case SCHED_FAILURES: /* 1 or 3, as the failures that triggered it decide */
        break;
    }
    /* --max-fail-ratio: the run passes while failed / read <= P */
    if (cfg->max_fail_ratio >= 0 && end == SCHED_DONE &&
        (s->urls == 0 || (double)s->failed / (double)s->urls <= cfg->max_fail_ratio))
        return input_failed ? EXIT_USAGE : EXIT_OK;
    static const enum record_kind fetch[] = {KIND_INPUT, KIND_DNS,       KIND_CONNECT,
                                             KIND_TLS,   KIND_TOO_LARGE, KIND_PROTOCOL,
                                             KIND_OTHER, KIND_DENIED};
    for (size_t i = 0; i < sizeof fetch / sizeof fetch[0]; i++)
        if (s->by_kind[fetch[i]])
            return EXIT_FETCH;
    if (s->by_kind[KIND_TIMEOUT] && !cfg->allow_timeouts) /* allowed: recorded, fail nothing */
        return EXIT_FETCH;
    if (s->by_kind[KIND_HTTP] || s->by_kind[KIND_CHECK])
        return EXIT_FAILED;
    return input_failed ? EXIT_USAGE : EXIT_OK;
}

struct main_run {
    struct writer *w;
    struct sched *s;
};

/* The progress line's counts (a progress_fn): the writer's, and the loop's
 * transfers in flight. */
static void main_progress_counts(void *arg, struct progress_counts *c)
{
    const struct main_run *run = arg;
    const struct output_summary *sum = writer_counts(run->w);
    c->done = sum->urls;
    c->failed = sum->failed;
    c->inflight = sched_inflight(run->s);
}

/* How the run ended, for the summary: after a cancellation, what stopped it
 * and how much of the list was never read. */
static struct writer_end main_end(struct sched *s, struct input *in)
{
    struct writer_end e = {.elapsed_us = sched_elapsed_us(s)};
    e.stopped_by = sched_stopped_by(s, &e.stopped_after_us);
    if (e.stopped_by)
        e.unread = input_unread(in, &e.unread_source);
    return e;
}

static bool main_progress(const struct config *cfg)
{
    if (cfg->progress == PROGRESS_NEVER || cfg->quiet)
        return false; /* -v: the trace has stderr to itself unless --progress always */
    return cfg->progress == PROGRESS_ALWAYS || (isatty(STDERR_FILENO) && !cfg->verbose);
}

static bool main_color(const struct config *cfg)
{
    if (cfg->format != FORMAT_TEXT || cfg->color == COLOR_NEVER)
        return false;
    if (cfg->color == COLOR_ALWAYS)
        return true;
    const char *nc = getenv("NO_COLOR");
    return !(nc && *nc) && isatty(STDOUT_FILENO);
}

static struct writer_options main_writer_options(const struct config *cfg, struct report *rep)
{
    return (struct writer_options){
        .out =
            {
                .format = cfg->format,
                .tmpl = cfg->tmpl,
                .order_input = cfg->order_input,
                .color = main_color(cfg),
                .fd = STDOUT_FILENO,
                .window = (size_t)cfg->parallel * 4 + 16,
            },
        .rep = rep,
        .allow_timeouts = cfg->allow_timeouts,
        .fail_fast = cfg->fail_fast,
        .max_failures = cfg->max_failures,
        .summary_fd = cfg->quiet ? -1 : STDERR_FILENO,
    };
}

/* Finish W (the last records, the reports, the summary) after a run that
 * ended with END, and map the outcome to an exit status. */
static int main_finish(struct writer *w, const struct writer_end *we, enum sched_end end,
                       const struct config *cfg, bool input_failed)
{
    struct buf err = {0};
    bool reports_ok = writer_finish(w, we, &err);
    if (writer_status(w) == WRITER_CLOSED) /* the last flush too may find stdout gone */
        end = SCHED_CLOSED;
    else if (writer_status(w) == WRITER_ERROR)
        end = SCHED_OUT_ERROR;
    int status = main_status(end, writer_counts(w), cfg, input_failed);
    if (end == SCHED_OUT_ERROR)
        log_warn("cannot write to stdout");
    if (!reports_ok) {
        log_warn("--report: %s", buf_str(&err));
        if (status == EXIT_OK || status == EXIT_FAILED || status == EXIT_FETCH)
            status = EXIT_INTERNAL;
    }
    buf_free(&err);
    writer_print_summary(w, we);
    return status;
}

/* The usual run: fetch every line F keeps, records to stdout; jq checks
 * run in JQ's worker. */
static int main_fetch(struct config *cfg, struct report *rep, struct filter *f, struct jqw *jq)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        log_die(EXIT_INTERNAL, "cannot initialise libcurl");
    struct event_base *base = event_base_new();
    if (!base)
        log_die(EXIT_INTERNAL, "cannot create the event loop");
    if (filter_stdout_torn(f, STDOUT_FILENO) && write(STDOUT_FILENO, "\n", 1) != 1)
        log_warn("cannot write to stdout"); /* the writer says so again */
    struct writer_options wo = main_writer_options(cfg, rep);
    struct writer *w = writer_new(&wo);
    struct input *in = input_new(cfg->urls, cfg->nurls, cfg->files, cfg->nfiles);
    struct share *share = share_new(cfg);
    struct sched *s = sched_new(base, cfg, share, in, f, w, jq);
    struct main_run run = {w, s};
    struct progress *prog = NULL;
    if (main_progress(cfg))
        prog = progress_new(base, STDERR_FILENO,
                            input_count(cfg->urls, cfg->nurls, cfg->files, cfg->nfiles),
                            main_progress_counts, &run);

    enum sched_end end = sched_run(s);
    progress_free(prog);
    struct writer_end we = main_end(s, in);
    int status = main_finish(w, &we, end, cfg, sched_input_failed(s));
    struct buf err = {0};
    if (!share_write_jar(share, &err)) { /* -c: however the run ended */
        log_warn("%s", buf_str(&err));
        if (status == EXIT_OK || status == EXIT_FAILED || status == EXIT_FETCH)
            status = EXIT_INTERNAL;
    }
    buf_free(&err);
    sched_free(s);
    share_free(share); /* after the handles that used it */
    writer_free(w);
    input_free(in);
    event_base_free(base);
    curl_global_cleanup();
    return status;
}

/* --summarize: record files, summarized as one run; nothing is fetched. */
static int main_summarize(const struct config *cfg, struct report *rep)
{
    struct writer_options wo = main_writer_options(cfg, rep);
    wo.any_order = true;
    wo.fail_fast = false; /* the records already say what cut a run short */
    wo.max_failures = 0;
    struct writer *w = writer_new(&wo);
    struct buf err = {0};
    struct writer_end we = {0};
    if (!summarize_run(cfg, w, &we.elapsed_us, &err)) {
        log_warn("%s", buf_str(&err));
        buf_free(&err);
        writer_free(w);
        return EXIT_USAGE;
    }
    buf_free(&err);
    int status = main_finish(w, &we, SCHED_DONE, cfg, false);
    writer_free(w);
    return status;
}

/* Make fds 0, 1 and 2 valid before anything is opened, so that no file
 * volley opens becomes stdin, stdout or stderr by accident: each closed one
 * gets /dev/null. False when stdout was closed. */
static bool main_std_fds(void)
{
    bool out_open = true;
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        if (fd == STDOUT_FILENO)
            out_open = false;
        /* the lowest free number: FD itself, the ones below being open */
        int n = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
        if (n != fd)
            _exit(EXIT_INTERNAL); /* not even /dev/null: nothing can be said */
    }
    return out_open;
}

/* This program's path for re-executing it as the jq worker: what
 * /proc/self/exe names (valgrind, say, runs a program whose /proc/self/exe
 * is valgrind's own, and answers readlink with the program's path); NULL to
 * let jqw run /proc/self/exe itself (a binary deleted since it started). */
static const char *main_self_exe(char *buf, size_t cap)
{
    static const char deleted[] = " (deleted)";
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n <= 0 || (size_t)n >= cap - 1)
        return NULL;
    buf[n] = '\0';
    size_t d = sizeof deleted - 1;
    if ((size_t)n >= d && strcmp(buf + n - d, deleted) == 0)
        return NULL;
    return buf;
}

int main(int argc, char **argv)
{
    /* first: no file may become fd 0, 1 or 2; a closed stdout ends the run
     * before anything is read or fetched (records would go nowhere) */
    if (!main_std_fds()) {
        log_warn("stdout is closed");
        return EXIT_INTERNAL;
    }
    if (jqw_is_worker(argc, argv)) /* volley re-executed as its own jq worker */
        return jqw_worker_main(argc, argv);
    /* jq answers are activated on the loops from jqw's thread: libevent
     * locks, set up once before any event_base exists */
    if (evthread_use_pthreads() != 0)
        log_die(EXIT_INTERNAL, "cannot set up libevent for threads");
    signal(SIGPIPE, SIG_IGN);
    struct config cfg;
    struct buf err = {0};
    enum cli_result cr = cli_parse(argc, argv, &cfg, stdout, &err);
    if (cr != CLI_RUN) {
        if (cr == CLI_ERROR)
            log_warn("%s", buf_str(&err));
        buf_free(&err);
        cli_free(&cfg);
        return cr == CLI_ERROR ? EXIT_USAGE : EXIT_OK;
    }
    /* one jq worker for the run, made before any loop or thread; the
     * --expect-jq program must compile (a usage error when not), checked
     * before prepare changes anything on disk */
    char self[4096];
    struct jqw_options jo = {
        .time_ms = cfg.jq_budget_ms,
        .mem_bytes = (size_t)cfg.jq_memory,
        .max_body = (size_t)cfg.max_body,
        .exe = main_self_exe(self, sizeof self),
        .argv0 = argv[0],
    };
    struct jqw *jq = jqw_new(&jo);
    if (!check_spec_compile(cfg.checks, jq, &err)) {
        log_warn("%s", buf_str(&err));
        buf_free(&err);
        jqw_free(jq);
        cli_free(&cfg);
        return EXIT_USAGE;
    }
    struct report *rep = report_new();
    struct filter *f = NULL;
    if (!prepare_config(&cfg, rep, &err) || !(f = filter_new(&cfg, &err))) {
        log_warn("%s", buf_str(&err));
        buf_free(&err);
        report_free(rep);
        jqw_free(jq);
        cli_free(&cfg);
        return EXIT_USAGE;
    }
    buf_free(&err);
    int status;
    if (cfg.summarize) {
        status = main_summarize(&cfg, rep);
    } else if (cfg.dry_run) {
        struct input *in = input_new(cfg.urls, cfg.nurls, cfg.files, cfg.nfiles);
        status = dryrun_run(&cfg, in, f, STDOUT_FILENO);
        input_free(in);
    } else {
        status = main_fetch(&cfg, rep, f, jq);
    }
    jqw_free(jq); /* after every loop is gone */
    filter_free(f);
    report_free(rep);
    cli_free(&cfg);
    return status;
}
