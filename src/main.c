/* main: parse the command line, build the input, the writer and the
 * dispatcher (which makes the loops), run, finish the writer and map the
 * outcome to an exit status. Nothing else. */
#include "cli.h"
#include "dispatch.h"
#include "dryrun.h"
#include "filter.h"
#include "input.h"
#include "jqw.h"
#include "linkrun.h"
#include "log.h"
#include "prepare.h"
#include "progress.h"
#include "report.h"
#include "share.h"
#include "summarize.h"
#include "writer.h"

#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static int main_status(enum run_end end, const struct output_summary *s, const struct config *cfg,
                       bool input_failed)
{
    switch (end) {
    case RUN_SIGINT:
        return EXIT_SIGINT;
    case RUN_SIGTERM:
        return EXIT_SIGTERM;
    case RUN_SIGHUP:
        return EXIT_SIGHUP;
    case RUN_DEADLINE:
        return EXIT_DEADLINE;
    case RUN_CLOSED:
        return EXIT_PIPE;
    case RUN_OUT_ERROR:
        return EXIT_INTERNAL;
    case RUN_DONE:
    case RUN_FAILURES: /* 1 or 3, as the failures that triggered it decide */
        break;
    }
    /* --max-fail-ratio: the run passes while failed / read <= P */
    if (cfg->max_fail_ratio >= 0 && end == RUN_DONE &&
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
    if (s->by_kind[KIND_HTTP] || s->by_kind[KIND_CHECK] || s->by_kind[KIND_MISSING])
        return EXIT_FAILED;
    return input_failed ? EXIT_USAGE : EXIT_OK;
}

struct main_run {
    struct writer *w;
    struct dispatch *d;
};

/* The progress line's counts (a progress_fn): the writer's, and the loops'
 * transfers in flight. */
static void main_progress_counts(void *arg, struct progress_counts *c)
{
    const struct main_run *run = arg;
    struct output_summary sum;
    writer_counts(run->w, &sum);
    c->done = sum.urls;
    c->failed = sum.failed;
    c->inflight = dispatch_inflight(run->d);
}

/* How the run ended, for the summary: after a cancellation, what stopped it
 * and how much of the list was never read. */
static struct writer_end main_end(struct dispatch *d, struct input *in)
{
    struct writer_end e = {.elapsed_us = dispatch_elapsed_us(d)};
    e.stopped_by = dispatch_stopped_by(d, &e.stopped_after_us);
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

/* stdout and stderr are one terminal: the progress line must be erased
 * before each record and drawn again after it (the sink does both). */
static bool main_one_terminal(void)
{
    struct stat o, e;
    return isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) && fstat(STDOUT_FILENO, &o) == 0 &&
           fstat(STDERR_FILENO, &e) == 0 && o.st_rdev == e.st_rdev;
}

static void main_status_line(void *arg, const char *line, size_t len)
{
    writer_status_line(arg, line, len);
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
        .status_line = main_progress(cfg) && main_one_terminal(),
    };
}

/* Finish W (the last records, the reports, the summary) after a run that
 * ended with END, wait for stdout (through D's loop when there is one: it
 * takes the signals meanwhile, and gives up 2 s after one), and map the
 * outcome to an exit status. */
static int main_finish(struct writer *w, const struct writer_end *we, enum run_end end,
                       const struct config *cfg, bool input_failed, struct dispatch *d)
{
    struct buf err = {0};
    bool reports_ok = writer_finish(w, we, &err);
    uint64_t unwritten = 0;
    enum run_end last = end;
    if (d) {
        last = dispatch_finish_output(d, &unwritten);
    } else {
        writer_sync(w, -1);
        enum writer_status ws = writer_status(w);
        last = ws == WRITER_CLOSED ? RUN_CLOSED : ws == WRITER_ERROR ? RUN_OUT_ERROR : end;
    }
    if (last == RUN_CLOSED || last == RUN_OUT_ERROR || end == RUN_DONE)
        end = last; /* the last flush found stdout gone, or a signal came while waiting */
    struct output_summary sum;
    writer_counts(w, &sum);
    int status = main_status(end, &sum, cfg, input_failed);
    if (end == RUN_OUT_ERROR)
        log_warn("cannot write to stdout");
    if (unwritten)
        log_warn("%" PRIu64 " record%s could not be written: stdout is not being read", unwritten,
                 unwritten == 1 ? "" : "s");
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
 * run in JQ's worker. With LR (a --links run whose documents are read): the
 * local files' records first, then the distinct URLs as the lines;
 * READ_FAILED: a document could not be read. */
static int main_fetch(struct config *cfg, struct report *rep, struct filter *f, struct jqw *jq,
                      struct linkrun *lr, bool read_failed)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        log_die(EXIT_INTERNAL, "cannot initialise libcurl");
    if (filter_stdout_torn(f, STDOUT_FILENO) && write(STDOUT_FILENO, "\n", 1) != 1)
        log_warn("cannot write to stdout"); /* the writer says so again */
    struct writer_options wo = main_writer_options(cfg, rep);
    struct writer *w = writer_new(&wo);
    size_t nitems = 0;
    const struct input_item *items = lr ? linkrun_items(lr, &nitems) : NULL;
    struct input *in = lr ? input_new_items(items, nitems)
                          : input_new(cfg->urls, cfg->nurls, cfg->files, cfg->nfiles);
    struct share *share = share_new(cfg);
    struct dispatch *d = dispatch_new(cfg, in, f, w, share, jq);
    if (lr)
        dispatch_seq_taken(d, linkrun_check_local(lr, f, w));
    struct main_run run = {w, d};
    struct progress *prog = NULL;
    if (main_progress(cfg))
        prog = progress_new(dispatch_base(d), STDERR_FILENO,
                            lr ? (int64_t)(nitems + linkrun_nlocal(lr))
                               : input_count(cfg->urls, cfg->nurls, cfg->files, cfg->nfiles),
                            main_progress_counts, &run);
    if (prog && wo.status_line)
        progress_route(prog, main_status_line, w);

    enum run_end end = dispatch_run(d);
    progress_free(prog);
    struct writer_end we = main_end(d, in);
    int status = main_finish(w, &we, end, cfg, dispatch_input_failed(d) || read_failed, d);
    struct buf err = {0};
    if (!share_write_jar(share, &err)) { /* -c: however the run ended */
        log_warn("%s", buf_str(&err));
        if (status == EXIT_OK || status == EXIT_FAILED || status == EXIT_FETCH)
            status = EXIT_INTERNAL;
    }
    buf_free(&err);
    writer_free(w); /* stops stdout's thread (cut short when it is stuck) */
    dispatch_free(d);
    share_free(share); /* after the handles that used it */
    input_free(in);
    curl_global_cleanup();
    return status;
}

/* --links: read the documents, then check their links (or, with --dry-run,
 * print the URLs that would be fetched). */
static int main_links(struct config *cfg, struct report *rep, struct filter *f, struct jqw *jq)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        log_die(EXIT_INTERNAL, "cannot initialise libcurl");
    struct buf err = {0};
    struct linkrun *lr = linkrun_new(cfg, &err);
    if (!lr) {
        log_warn("%s", buf_str(&err));
        buf_free(&err);
        curl_global_cleanup();
        return EXIT_USAGE;
    }
    bool read_ok = linkrun_read(lr);
    if (!cfg->quiet) {
        linkrun_summary(lr, &err);
        if (write(STDERR_FILENO, err.p, err.len) < 0) {
            /* stderr is best effort */
        }
    }
    buf_free(&err);
    int status;
    if (cfg->dry_run) {
        size_t n;
        const struct input_item *items = linkrun_items(lr, &n);
        struct input *in = input_new_items(items, n);
        status = dryrun_run(cfg, in, f, STDOUT_FILENO);
        input_free(in);
        if (status == EXIT_OK && !read_ok)
            status = EXIT_USAGE;
    } else {
        status = main_fetch(cfg, rep, f, jq, lr, !read_ok);
    }
    linkrun_free(lr);
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
    int status = main_finish(w, &we, RUN_DONE, cfg, false, NULL);
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
    } else if (cfg.links) {
        status = main_links(&cfg, rep, f, jq);
    } else if (cfg.dry_run) {
        struct input *in = input_new(cfg.urls, cfg.nurls, cfg.files, cfg.nfiles);
        status = dryrun_run(&cfg, in, f, STDOUT_FILENO);
        input_free(in);
    } else {
        status = main_fetch(&cfg, rep, f, jq, NULL, false);
    }
    jqw_free(jq); /* after every loop is gone */
    filter_free(f);
    report_free(rep);
    cli_free(&cfg);
    return status;
}
