/* input: lazy, line-at-a-time reading of --url values and URL list files,
 * with trimming, comment skipping and the 64 KiB line limit. One rule for
 * every source: a line is trimmed first, and what is left (from its first
 * to its last non-blank byte) may be 64 KiB long. A line with its end in
 * the read buffer is handed out from there; one that outgrows the buffer
 * (however the bytes arrive: a regular file, a pipe written slowly, stdin)
 * is followed byte by byte, its leading blanks dropped, at most 64 KiB of it
 * kept, so that both ways decide alike. */
#include "input.h"
#include "log.h"
#include "text.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INPUT_BUF (URL_MAX_LINE * 2 + 4096)
#define INPUT_KEEP 2048 /* bytes of an over-long line kept for its record */

/* Where a line longer than the buffer holds (URL_MAX_LINE) stands. */
enum input_long {
    INPUT_L_NONE, /* not in such a line */
    INPUT_L_LEAD, /* only blanks so far: not decided */
    INPUT_L_BODY, /* text from its first non-blank, at most 64 KiB so far */
    INPUT_L_SKIP, /* decided (a comment, or handed out as too long): to its end */
};

/* A UTF-8 byte-order mark, which editors on Windows put at a file's start:
 * skipped there (anywhere else it is part of the line). */
static const char input_bom[] = "\xEF\xBB\xBF";
#define INPUT_BOM_LEN 3

struct input {
    char *const *urls;
    size_t nurls, next_url;
    char *const *files;
    size_t nfiles, next_file;
    bool use_stdin; /* no --url and no FILE */

    int fd;       /* the open source, -1 between sources */
    bool regular; /* a regular file: reads never wait */
    bool eof;
    const char *source;
    uint64_t lineno;
    enum input_long long_state; /* a line longer than the buffer holds */
    struct buf long_text;       /* its text from the first non-blank (INPUT_L_BODY) */
    size_t long_solid;          /* up to its last non-blank */
    bool long_over;             /* blanks dropped at 64 KiB: any non-blank is too much */
    bool bom_seen;              /* the source's start was checked for a byte-order mark */
    char *buf;
    size_t start, end;
    char err[512];
};

struct input *input_new(char *const *urls, size_t nurls, char *const *files, size_t nfiles)
{
    struct input *in = log_calloc(1, sizeof *in);
    in->urls = urls;
    in->nurls = nurls;
    in->files = files;
    in->nfiles = nfiles;
    in->use_stdin = nurls == 0 && nfiles == 0;
    in->fd = -1;
    in->buf = log_malloc(INPUT_BUF);
    return in;
}

static void input_close(struct input *in)
{
    if (in->fd > STDIN_FILENO)
        close(in->fd);
    in->fd = -1;
}

void input_free(struct input *in)
{
    if (!in)
        return;
    input_close(in);
    buf_free(&in->long_text);
    free(in->buf);
    free(in);
}

int input_fd(const struct input *in)
{
    return in->fd;
}

const char *input_error(const struct input *in)
{
    return in->err;
}

/* Trim TEXT; true when what is left is a line to hand out. */
static bool input_trim(const char **text, size_t *len)
{
    text_trim(text, len);
    return *len > 0 && (*text)[0] != '#';
}

/* Open the next file source. False when there is none left. */
static bool input_open_next(struct input *in, enum input_status *st)
{
    const char *name;
    if (in->use_stdin) {
        in->use_stdin = false;
        name = "-";
    } else if (in->next_file < in->nfiles) {
        name = in->files[in->next_file++];
    } else {
        return false;
    }
    in->source = name;
    in->lineno = 0;
    in->start = in->end = 0;
    in->eof = false;
    in->long_state = INPUT_L_NONE;
    in->bom_seen = false;
    in->fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (in->fd < 0) {
        snprintf(in->err, sizeof in->err, "cannot read %s: %s", name, strerror(errno));
        *st = INPUT_ERROR;
        return true;
    }
    struct stat sb;
    bool known = fstat(in->fd, &sb) == 0;
    in->regular = known && S_ISREG(sb.st_mode);
    if (known && S_ISDIR(sb.st_mode)) {
        snprintf(in->err, sizeof in->err, "cannot read %s: Is a directory", name);
        input_close(in);
        *st = INPUT_ERROR;
        return true;
    }
    *st = INPUT_LINE;
    return true;
}

/* Read more bytes into the buffer. INPUT_LINE: got some (or EOF now set). */
static enum input_status input_fill(struct input *in)
{
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    if (!in->regular) {
        struct pollfd p = {.fd = in->fd, .events = POLLIN};
        int r;
        while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR)
            ;
        if (r == 0)
            return INPUT_AGAIN;
    }
    for (;;) {
        ssize_t n = read(in->fd, in->buf + in->end, INPUT_BUF - in->end);
        if (n > 0) {
            in->end += (size_t)n;
            return INPUT_LINE;
        }
        if (n == 0) {
            in->eof = true;
            return INPUT_LINE;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return INPUT_AGAIN;
        snprintf(in->err, sizeof in->err, "cannot read %s: %s", in->source, strerror(errno));
        input_close(in);
        return INPUT_ERROR;
    }
}

/* Follow N more bytes (no newline among them) of a line longer than the
 * buffer. True when they make it too long: its start (at most INPUT_KEEP
 * bytes of its text) is then handed out, and the rest is skipped. */
static bool input_long_feed(struct input *in, const char *p, size_t n)
{
    struct buf *t = &in->long_text;
    for (size_t i = 0; i < n && in->long_state != INPUT_L_SKIP; i++) {
        char c = p[i];
        bool blank = text_blank(c);
        if (in->long_state == INPUT_L_LEAD) {
            if (blank)
                continue;
            in->long_state = c == '#' ? INPUT_L_SKIP : INPUT_L_BODY; /* a comment: no record */
            if (in->long_state == INPUT_L_SKIP)
                break;
        }
        if (blank) {
            if (t->len < URL_MAX_LINE)
                buf_addc(t, c);
            else
                in->long_over = true;
        } else if (in->long_over || t->len >= URL_MAX_LINE) {
            in->long_state = INPUT_L_SKIP;
            return true;
        } else {
            buf_addc(t, c);
            in->long_solid = t->len;
        }
    }
    return false;
}

/* At a source's start: skip a byte-order mark. False while the bytes read
 * so far are a prefix of one. */
static bool input_skip_bom(struct input *in)
{
    if (in->bom_seen)
        return true;
    size_t avail = in->end - in->start, n = avail < INPUT_BOM_LEN ? avail : INPUT_BOM_LEN;
    bool prefix = memcmp(in->buf + in->start, input_bom, n) == 0;
    if (prefix && n < INPUT_BOM_LEN && !in->eof)
        return false;
    in->bom_seen = true;
    if (prefix && n == INPUT_BOM_LEN)
        in->start += INPUT_BOM_LEN;
    return true;
}

/* The next raw line of the open file source. */
static enum input_status input_file_line(struct input *in, struct input_line *line)
{
    for (;;) {
        if (!input_skip_bom(in)) { /* the first bytes could still be one: read on */
            enum input_status st = input_fill(in);
            if (st != INPUT_LINE)
                return st;
            continue;
        }
        char *p = in->buf + in->start;
        size_t avail = in->end - in->start;
        char *nl = memchr(p, '\n', avail);
        if (in->long_state != INPUT_L_NONE) {
            size_t n = nl ? (size_t)(nl - p) : avail;
            bool too_long = input_long_feed(in, p, n);
            in->start += nl ? n + 1 : n;
            bool ended = nl || (in->eof && in->start == in->end);
            line->text = in->long_text.p ? in->long_text.p : "";
            line->too_long = too_long;
            line->len = too_long ? INPUT_KEEP : in->long_solid;
            bool out = too_long || (ended && in->long_state == INPUT_L_BODY);
            if (ended)
                in->long_state = INPUT_L_NONE;
            if (out)
                return INPUT_LINE;
            if (ended)
                continue;
        } else if (nl || (in->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - p) : avail;
            in->start += nl ? n + 1 : n;
            in->lineno++;
            line->text = p;
            line->len = n;
            line->too_long = false; /* decided after trimming */
            return INPUT_LINE;
        } else if (avail > URL_MAX_LINE) {
            /* no end within the limit: follow the line byte by byte */
            in->lineno++;
            in->long_state = INPUT_L_LEAD;
            buf_clear(&in->long_text);
            in->long_solid = 0;
            in->long_over = false;
            continue;
        }
        if (in->eof)
            return INPUT_EOF;
        enum input_status st = input_fill(in);
        if (st != INPUT_LINE)
            return st;
    }
}

/* Trim LINE and apply the 64 KiB limit to what is left; true when it is a
 * line to hand out (not blank, not a comment). */
static bool input_finish_line(struct input_line *line)
{
    bool keep = input_trim(&line->text, &line->len);
    if (line->len > URL_MAX_LINE) {
        line->too_long = true;
        line->len = INPUT_KEEP;
    }
    return keep;
}

enum input_status input_next(struct input *in, struct input_line *line)
{
    while (in->next_url < in->nurls) {
        const char *u = in->urls[in->next_url++];
        line->text = u;
        line->len = strlen(u);
        line->source = "arg";
        line->lineno = in->next_url;
        line->too_long = false;
        if (input_finish_line(line))
            return INPUT_LINE;
    }
    for (;;) {
        if (in->fd < 0) {
            enum input_status st;
            if (!input_open_next(in, &st))
                return INPUT_EOF;
            if (st != INPUT_LINE)
                return st;
        }
        enum input_status st = input_file_line(in, line);
        if (st == INPUT_EOF) {
            input_close(in);
            continue;
        }
        if (st != INPUT_LINE)
            return st;
        line->source = in->source;
        line->lineno = in->lineno;
        if (input_finish_line(line))
            return INPUT_LINE;
    }
}

/* Counts lines that are not blank or comments, across the chunks of a
 * stream: per line, its first non-blank character decides. */
struct input_tally {
    bool at_start; /* at the start of a line (else inside one already decided) */
    size_t bom;    /* bytes of a byte-order mark seen at the source's start; 3: past it */
    int64_t n;
};

static void input_tally_add(struct input_tally *t, const char *p, size_t len)
{
    size_t j = 0;
    for (; t->bom < INPUT_BOM_LEN && j < len; j++) { /* a BOM, as input_skip_bom skips it */
        if (p[j] == input_bom[t->bom]) {
            t->bom++;
            continue;
        }
        if (t->bom > 0 && t->at_start) { /* the start of one: a line's first bytes */
            t->at_start = false;
            t->n++;
        }
        t->bom = INPUT_BOM_LEN;
        break;
    }
    for (; j < len; j++) {
        char c = p[j];
        if (c == '\n') {
            t->at_start = true;
        } else if (t->at_start && !text_blank(c)) {
            t->at_start = false;
            if (c != '#')
                t->n++;
        }
    }
}

/* Tally the rest of FD. */
static void input_tally_fd(struct input_tally *t, int fd)
{
    char tmp[65536];
    ssize_t r;
    while ((r = read(fd, tmp, sizeof tmp)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0)
            input_tally_add(t, tmp, (size_t)r);
}

/* Tally the lines of file NAME ("-": the rest of stdin); false when it is
 * not a regular file. */
static bool input_tally_file(struct input_tally *t, const char *name)
{
    bool is_stdin = strcmp(name, "-") == 0;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = is_stdin ? STDIN_FILENO : open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    bool regular = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    if (regular) {
        t->at_start = true;
        t->bom = 0;
        input_tally_fd(t, fd);
        if (t->bom > 0 && t->bom < INPUT_BOM_LEN) /* the file is a BOM's first bytes only */
            t->n++;
    }
    if (fd > STDIN_FILENO)
        close(fd);
    return regular;
}

static int64_t input_tally_urls(char *const *urls, size_t from, size_t nurls)
{
    int64_t n = 0;
    for (size_t i = from; i < nurls; i++) {
        const char *u = urls[i];
        size_t len = strlen(u);
        if (input_trim(&u, &len))
            n++;
    }
    return n;
}

int64_t input_count(char *const *urls, size_t nurls, char *const *files, size_t nfiles)
{
    if (nurls == 0 && nfiles == 0)
        return -1;
    struct input_tally t = {.n = input_tally_urls(urls, 0, nurls)};
    for (size_t i = 0; i < nfiles; i++)
        if (strcmp(files[i], "-") == 0 || !input_tally_file(&t, files[i]))
            return -1;
    return t.n;
}

int64_t input_unread(struct input *in, const char **source)
{
    struct input_tally t = {.n = input_tally_urls(in->urls, in->next_url, in->nurls)};
    *source = NULL;
    const char *name = NULL;
    if (in->fd >= 0) { /* the rest of the open source: its buffer, then the file */
        name = in->source;
        if (!in->regular)
            goto unknown;
        /* a long line still undecided counts by its first non-blank; one
         * being kept is a line not handed out yet */
        t.at_start = in->long_state == INPUT_L_NONE || in->long_state == INPUT_L_LEAD;
        t.n += in->long_state == INPUT_L_BODY;
        t.bom = in->bom_seen ? INPUT_BOM_LEN : 0;
        input_tally_add(&t, in->buf + in->start, in->end - in->start);
        if (!in->eof)
            input_tally_fd(&t, in->fd);
    }
    if (in->use_stdin && !input_tally_file(&t, name = "-"))
        goto unknown;
    for (size_t i = in->next_file; i < in->nfiles; i++)
        if (!input_tally_file(&t, name = in->files[i]))
            goto unknown;
    return t.n;
unknown:
    *source = strcmp(name, "-") == 0 ? "stdin" : name;
    return -1;
}
