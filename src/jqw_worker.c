/* jqw_worker: the jq worker process (volley re-executed with --jq-worker,
 * see jqw.h), the only place libjq runs. It sets its own limits, then
 * answers one request at a time on fd 0/1 with the protocol of jqw_impl.h,
 * exactly as jq -e would: the body parsed as one JSON value, the last
 * output decides; compiled programs are kept in a small cache. */
#define _GNU_SOURCE /* close_range */

#include "jqw.h"
#include "jqw_impl.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jq.h>

#define JQW_PROGRAMS 32     /* compiled programs the worker keeps */
#define JQW_EXIT_MEMORY 3   /* the worker's status after a memory answer */
#define JQW_EXIT_PROTOCOL 4 /* ... after a frame it rejected */

struct jqw_prog {
    char *text;
    jq_state *jq;
    uint64_t used;
};

struct jqw_worker {
    size_t max_body;
    struct jqw_prog progs[JQW_PROGRAMS]; /* least recently used goes first */
    uint64_t tick;
    char *in;        /* the request: program, NUL, body, NUL */
    struct buf text; /* the answer's text */
};

/* Read N bytes from FD: 1 read, 0 EOF before the first byte, -1 otherwise. */
static int jqw_read_full(int fd, void *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r == 0 && got == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

static bool jqw_write_full(int fd, const void *p, size_t n)
{
    while (n > 0) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p = (const char *)p + r;
        n -= (size_t)r;
    }
    return true;
}

static bool jqw_answer(struct jqw_worker *wk, uint32_t code)
{
    struct buf *t = &wk->text;
    if (t->len > JQW_MAX_TEXT) { /* cut at a UTF-8 character boundary */
        size_t n = JQW_MAX_TEXT;
        while (n > 0 && ((unsigned char)t->p[n] & 0xC0) == 0x80)
            n--;
        t->len = n;
        buf_adds(t, "...");
    }
    struct jqw_frame h = {JQW_MAGIC, code, (uint32_t)t->len, 0};
    return jqw_write_full(STDOUT_FILENO, &h, sizeof h) &&
           jqw_write_full(STDOUT_FILENO, t->p ? t->p : "", t->len);
}

/* libjq's allocation failed (RLIMIT_AS): say so and end, as the state of the
 * allocator is no longer to be trusted. */
static void jqw_worker_nomem(void *arg)
{
    (void)arg;
    struct jqw_frame h = {JQW_MAGIC, JQW_A_MEMORY, 0, 0};
    if (write(STDOUT_FILENO, &h, sizeof h) < 0) {
        /* the client sees the worker die instead */
    }
    _exit(JQW_EXIT_MEMORY);
}

/* jq's compile messages, gathered into one line: "jq: error: " dropped, the
 * "jq: N compile errors" trailer skipped, white space collapsed. ARG is the
 * buffer, or NULL to drop the message (runtime messages). */
static void jqw_jq_message(void *arg, jv msg)
{
    struct buf *b = arg;
    jv text = jq_format_error(msg); /* takes MSG */
    const char *s = jv_get_kind(text) == JV_KIND_STRING ? jv_string_value(text) : "";
    if (!strncmp(s, "jq: error: ", 11))
        s += 11;
    else if (!strncmp(s, "jq: ", 4) && strstr(s, " compile error"))
        s = "";
    while (isspace((unsigned char)*s))
        s++;
    if (*s && b) {
        if (b->len)
            buf_adds(b, "; ");
        bool space = false;
        for (; *s; s++) {
            if (isspace((unsigned char)*s)) {
                space = true;
                continue;
            }
            if (space)
                buf_addc(b, ' ');
            space = false;
            buf_addc(b, *s);
        }
    }
    jv_free(text);
}

/* PROGRAM compiled: from the cache, or compiled now and cached (dropping the
 * least recently used). NULL when it does not compile; then MSGS has jq's
 * messages (or "invalid program"). */
static jq_state *jqw_worker_program(struct jqw_worker *wk, const char *program, struct buf *msgs)
{
    struct jqw_prog *slot = &wk->progs[0];
    for (size_t i = 0; i < JQW_PROGRAMS; i++) {
        struct jqw_prog *p = &wk->progs[i];
        if (p->text && !strcmp(p->text, program)) {
            p->used = ++wk->tick;
            return p->jq;
        }
        if (!p->text || (slot->text && p->used < slot->used))
            slot = p;
    }
    jq_state *jq = jq_init();
    if (!jq)
        jqw_worker_nomem(NULL);
    jq_set_nomem_handler(jq, jqw_worker_nomem, NULL);
    jq_set_error_cb(jq, jqw_jq_message, msgs);
    int ok = jq_compile(jq, program);
    jq_set_error_cb(jq, jqw_jq_message, NULL); /* runtime messages are dropped */
    if (!ok) {
        jq_teardown(&jq);
        if (!msgs->len)
            buf_adds(msgs, "invalid program");
        return NULL;
    }
    if (slot->text) {
        free(slot->text);
        jq_teardown(&slot->jq);
    }
    slot->text = log_strdup(program);
    slot->jq = jq;
    slot->used = ++wk->tick;
    return jq;
}

/* Parse BODY as exactly one JSON value, as jv_parse() does but without
 * copying the whole body into the error message. */
static jv jqw_parse_json(const char *body, size_t len)
{
    if (len > INT_MAX)
        return jv_invalid_with_msg(jv_string("body too large to parse"));
    jv_parser *p = jv_parser_new(0);
    jv_parser_set_buf(p, body ? body : "", (int)len, 0);
    jv v = jv_parser_next(p);
    if (jv_is_valid(v)) {
        jv next = jv_parser_next(p);
        if (jv_is_valid(next)) {
            jv_free(v);
            jv_free(next);
            v = jv_invalid_with_msg(jv_string("Unexpected extra JSON values"));
        } else if (jv_invalid_has_msg(jv_copy(next))) {
            jv_free(v);
            v = next;
        } else {
            jv_free(next);
        }
    } else if (!jv_invalid_has_msg(jv_copy(v))) {
        jv_free(v);
        v = jv_invalid_with_msg(jv_string("Expected JSON value"));
    }
    jv_parser_free(p);
    return v;
}

/* Append the message of the invalid jv V (consumed) to B. */
static void jqw_add_jv_msg(struct buf *b, jv v)
{
    jv msg = jv_invalid_get_msg(v);
    if (jv_get_kind(msg) == JV_KIND_STRING) {
        buf_adds(b, jv_string_value(msg));
        jv_free(msg);
    } else {
        jv text = jv_dump_string(msg, 0);
        buf_adds(b, jv_string_value(text));
        jv_free(text);
    }
}

/* Run JQ on INPUT (consumed); the answer code, the actual in A. */
static uint32_t jqw_worker_run(jq_state *jq, jv input, struct buf *a)
{
    jq_start(jq, input, 0); /* takes INPUT */
    jv last = jv_invalid();
    bool error = false;
    for (;;) {
        jv out = jq_next(jq);
        if (jv_is_valid(out)) {
            jv_free(last);
            last = out;
            continue;
        }
        if (jv_invalid_has_msg(jv_copy(out))) {
            buf_adds(a, "jq error: ");
            jqw_add_jv_msg(a, out);
            error = true;
        } else {
            jv_free(out);
        }
        break;
    }
    if (!error && jq_halted(jq)) {
        /* halt and halt_error: jq's exit status decides, as in jq -e */
        jv code = jq_get_exit_code(jq);
        int status = jv_get_kind(code) == JV_KIND_NUMBER ? (int)jv_number_value(code) : 0;
        jv_free(code);
        if (status != 0) {
            buf_addf(a, "jq halted with exit status %d", status);
            jv msg = jq_get_error_message(jq);
            if (jv_get_kind(msg) == JV_KIND_STRING) {
                buf_adds(a, ": ");
                buf_adds(a, jv_string_value(msg));
            }
            jv_free(msg);
            error = true;
        } else {
            jv_free(last);
            last = jv_true();
        }
    }
    if (error) {
        jv_free(last);
        return JQW_A_FAILS;
    }
    jv_kind k = jv_get_kind(last);
    if (k != JV_KIND_INVALID && k != JV_KIND_FALSE && k != JV_KIND_NULL) {
        jv_free(last);
        return JQW_A_HOLDS;
    }
    if (k == JV_KIND_INVALID) {
        buf_adds(a, "no output");
    } else {
        jv text = jv_dump_string(jv_copy(last), 0);
        buf_adds(a, jv_string_value(text));
        jv_free(text);
    }
    jv_free(last);
    return JQW_A_FAILS;
}

/* One request: the answer code, its text in wk->text. */
static uint32_t jqw_worker_request(struct jqw_worker *wk, uint32_t op, const char *program,
                                   const char *body, size_t len)
{
    struct buf *a = &wk->text;
    buf_clear(a);
    jq_state *jq = jqw_worker_program(wk, program, a);
    if (!jq)
        return JQW_A_BAD_PROGRAM;
    if (op == JQW_OP_COMPILE)
        return JQW_A_COMPILED;
    jv input = jqw_parse_json(body, len);
    if (!jv_is_valid(input)) {
        jqw_add_jv_msg(a, input);
        return JQW_A_NOT_JSON;
    }
    return jqw_worker_run(jq, input, a);
}

/* A decimal argument of the worker's command line. */
static bool jqw_arg(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return isdigit((unsigned char)*s) && !*end && !errno;
}

/* The size of our address space now (bytes), 0 when unknown. */
static unsigned long long jqw_vm_size(void)
{
    FILE *f = fopen("/proc/self/statm", "re");
    unsigned long long pages = 0;
    if (f) {
        if (fscanf(f, "%llu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/* RLIMIT_AS: what is mapped now, room for the stack to grow, the largest
 * request's buffer and MEM for jq itself; no core files. */
static bool jqw_worker_limits(unsigned long long mem, unsigned long long max_body)
{
    struct rlimit core = {0, 0}, stack;
    unsigned long long grow = 8ULL << 20;
    if (getrlimit(RLIMIT_STACK, &stack) == 0 && stack.rlim_cur != RLIM_INFINITY &&
        stack.rlim_cur < (64ULL << 20))
        grow = stack.rlim_cur;
    unsigned long long vm = jqw_vm_size();
    unsigned long long lim = vm + grow + JQW_MAX_PROGRAM + max_body + mem;
    if (!vm || lim < vm || lim > (unsigned long long)RLIM_INFINITY)
        return false;
    struct rlimit as = {(rlim_t)lim, (rlim_t)lim};
    return setrlimit(RLIMIT_CORE, &core) == 0 && setrlimit(RLIMIT_AS, &as) == 0;
}

int jqw_worker_main(int argc, char **argv)
{
    /* argv: EXE --jq-worker MEM_BYTES MAX_BODY PARENT_PID */
    unsigned long long mem, max_body, ppid;
    if (argc != 5 || !jqw_arg(argv[2], &mem) || !jqw_arg(argv[3], &max_body) ||
        !jqw_arg(argv[4], &ppid) || max_body > INT_MAX) {
        log_warn("%s is volley's own (its jq worker)", JQW_ARG);
        return 2;
    }
    /* the second guard after EOF: die with the thread that started us */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || (unsigned long long)getppid() != ppid)
        return 2;
    (void)close_range(3, ~0U, 0); /* nothing of the parent's but our socket */
    if (!jqw_worker_limits(mem, max_body))
        return 2;
    jv_nomem_handler(jqw_worker_nomem, NULL);

    struct jqw_worker wk = {.max_body = (size_t)max_body};
    int status = 0;
    if (!jqw_answer(&wk, JQW_A_READY))
        status = 1;
    for (; !status;) {
        struct jqw_frame h;
        int r = jqw_read_full(STDIN_FILENO, &h, sizeof h);
        if (r <= 0) { /* EOF: volley is done (or gone) */
            status = r == 0 ? 0 : 1;
            break;
        }
        if (h.magic != JQW_MAGIC || (h.code != JQW_OP_EVAL && h.code != JQW_OP_COMPILE) ||
            h.len1 > JQW_MAX_PROGRAM || h.len2 > wk.max_body ||
            (h.code == JQW_OP_COMPILE && h.len2)) {
            status = JQW_EXIT_PROTOCOL;
            break;
        }
        free(wk.in); /* exactly the request's size: the budget reserves that much */
        wk.in = log_malloc((size_t)h.len1 + 1 + h.len2 + 1);
        char *body = wk.in + h.len1 + 1;
        if (jqw_read_full(STDIN_FILENO, wk.in, h.len1) != 1 ||
            jqw_read_full(STDIN_FILENO, body, h.len2) != 1) {
            status = 1;
            break;
        }
        wk.in[h.len1] = '\0';
        body[h.len2] = '\0';
        if (strlen(wk.in) != h.len1) { /* a NUL inside the program */
            status = JQW_EXIT_PROTOCOL;
            break;
        }
        uint32_t code = jqw_worker_request(&wk, h.code, wk.in, body, h.len2);
        if (!jqw_answer(&wk, code))
            status = 1;
    }
    for (size_t i = 0; i < JQW_PROGRAMS; i++)
        if (wk.progs[i].text) {
            free(wk.progs[i].text);
            jq_teardown(&wk.progs[i].jq);
        }
    free(wk.in);
    buf_free(&wk.text);
    return status;
}
