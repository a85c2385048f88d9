/* test_input: the URL sources read line by line: trimming, skipped lines,
 * FILE:LINE positions, the 64 KiB limit, --url values, several files,
 * unreadable files, and stdin as a pipe that is empty, fed, then closed. */
#include "unit.h"

#include "input.h"
#include "url.h"

/* ---- helpers ------------------------------------------------------------ */

#define NEXT_LINE(in, l, want_text, want_source, want_lineno)                                      \
    do {                                                                                           \
        enum input_status st_ = input_next(in, l);                                                 \
        if (st_ != INPUT_LINE)                                                                     \
            fail_msg("status %d, want a line '%s' (%s)", (int)st_, want_text,                      \
                     st_ == INPUT_ERROR ? input_error(in) : "");                                   \
        assert_int_equal((l)->len, strlen(want_text));                                             \
        assert_memory_equal((l)->text, want_text, (l)->len);                                       \
        assert_string_equal((l)->source, want_source);                                             \
        assert_int_equal((l)->lineno, want_lineno);                                                \
        assert_false((l)->too_long);                                                               \
    } while (0)

#define NEXT_STATUS(in, l, want)                                                                   \
    do {                                                                                           \
        enum input_status st_ = input_next(in, l);                                                 \
        if (st_ != (want))                                                                         \
            fail_msg("status %d, want %d%s%.*s", (int)st_, (int)(want),                            \
                     st_ == INPUT_LINE ? ": line " : "", st_ == INPUT_LINE ? (int)(l)->len : 0,    \
                     st_ == INPUT_LINE ? (l)->text : "");                                          \
    } while (0)

/* A string list as input_new takes it (it never writes through it). */
#define LIST(...) ((char *const *)(uintptr_t)(const char *const[]){__VA_ARGS__})

/* An input over the single file PATH. */
static struct input *one_file(const char *const *path)
{
    return input_new(NULL, 0, (char *const *)(uintptr_t)path, 1);
}

/* A string of N copies of C (caller frees). */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- files -------------------------------------------------------------- */

static void test_trim_and_skip(void **state)
{
    (void)state;
    const char *path = unit_text_file("list.txt", "  https://a/  \n"
                                                  "\n"
                                                  "# a comment\n"
                                                  "   \t# indented comment\n"
                                                  " \t \f\v\n"
                                                  "\tb.example/x y\t\n"
                                                  "c#not-a-comment\n");
    struct input *in = one_file(&path);
    struct input_line l;
    NEXT_LINE(in, &l, "https://a/", path, 1);
    assert_ptr_equal(l.source, path); /* the name given, not a copy */
    NEXT_LINE(in, &l, "b.example/x y", path, 6);
    NEXT_LINE(in, &l, "c#not-a-comment", path, 7);
    NEXT_STATUS(in, &l, INPUT_EOF);
    NEXT_STATUS(in, &l, INPUT_EOF); /* and stays there */
    input_free(in);
}

static void test_crlf(void **state)
{
    (void)state;
    const char *path = unit_text_file("crlf.txt", "a\r\n\r\n# c\r\nb \r\n");
    struct input *in = one_file(&path);
    struct input_line l;
    NEXT_LINE(in, &l, "a", path, 1);
    NEXT_LINE(in, &l, "b", path, 4);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_no_trailing_newline(void **state)
{
    (void)state;
    const char *path = unit_text_file("nonl.txt", "a\n\nlast  ");
    struct input *in = one_file(&path);
    struct input_line l;
    NEXT_LINE(in, &l, "a", path, 1);
    NEXT_LINE(in, &l, "last", path, 3);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

/* A UTF-8 byte-order mark at a file's very start is skipped; anywhere
 * else it is part of the line. */
static void test_bom_file(void **state)
{
    (void)state;
    const char *paths[] = {
        unit_text_file("bom1.txt", "\xEF\xBB\xBFhttps://a/\n\xEF\xBB\xBF"
                                   "b\n"),
        unit_text_file("bom2.txt", "\xEF\xBB\xBF# a comment\n  c\n"),
        unit_text_file("bom3.txt", "\xEF\xBB\xBF"),
        unit_text_file("bom4.txt", " \xEF\xBB\xBF"
                                   "d\n"), /* not at the start */
        unit_text_file("bom5.txt", "\xEF\xBB"
                                   "e\n"), /* not a whole BOM */
        unit_text_file("bom6.txt", "\xEF\xBB"),
    };
    struct input *in = input_new(NULL, 0, (char *const *)(uintptr_t)paths, 6);
    struct input_line l;
    NEXT_LINE(in, &l, "https://a/", paths[0], 1);
    NEXT_LINE(in, &l,
              "\xEF\xBB\xBF"
              "b",
              paths[0], 2);
    NEXT_LINE(in, &l, "c", paths[1], 2); /* each file's start */
    NEXT_LINE(in, &l,
              "\xEF\xBB\xBF"
              "d",
              paths[3], 1);
    NEXT_LINE(in, &l,
              "\xEF\xBB"
              "e",
              paths[4], 1);
    NEXT_LINE(in, &l, "\xEF\xBB", paths[5], 1);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
    /* the count agrees */
    assert_int_equal(input_count(NULL, 0, (char *const *)(uintptr_t)paths, 6), 6);
}

static void test_empty_and_blank_files(void **state)
{
    (void)state;
    const char *paths[] = {unit_text_file("empty.txt", ""),
                           unit_text_file("blank.txt", "\n\n  \n# only comments\n"),
                           unit_text_file("one.txt", "x")};
    struct input *in = input_new(NULL, 0, (char *const *)(uintptr_t)paths, 3);
    struct input_line l;
    NEXT_LINE(in, &l, "x", paths[2], 1);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_text_is_lent(void **state)
{
    (void)state;
    /* a line's text is not NUL-terminated: LEN bounds it */
    const char *path = unit_text_file("lent.txt", "ab\ncd\n");
    struct input *in = one_file(&path);
    struct input_line l;
    assert_int_equal(input_next(in, &l), INPUT_LINE);
    assert_int_equal(l.len, 2);
    assert_memory_equal(l.text, "ab", 2);
    assert_true(input_fd(in) >= 0);
    NEXT_LINE(in, &l, "cd", path, 2);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_many_lines(void **state)
{
    (void)state;
    /* more than the read buffer holds: lines across refills stay whole */
    struct buf b = {0};
    for (int i = 1; i <= 20000; i++)
        buf_addf(&b, i % 7 ? "https://example.com/%d\n" : "# %d\n", i);
    const char *path = unit_file("many.txt", b.p, b.len);
    buf_free(&b);
    struct input *in = one_file(&path);
    struct input_line l;
    char want[64];
    for (int i = 1; i <= 20000; i++) {
        if (i % 7 == 0)
            continue;
        snprintf(want, sizeof want, "https://example.com/%d", i);
        NEXT_LINE(in, &l, want, path, (uint64_t)i);
    }
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_long_lines_within_limit(void **state)
{
    (void)state;
    /* five lines of 60000 bytes, each straddling buffer refills */
    struct buf b = {0};
    char *body = repeat('y', 60000 - 3);
    for (int i = 0; i < 5; i++)
        buf_addf(&b, "%d:/%s\n", i, body);
    const char *path = unit_file("long.txt", b.p, b.len);
    struct input *in = one_file(&path);
    struct input_line l;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(input_next(in, &l), INPUT_LINE);
        assert_false(l.too_long);
        assert_int_equal(l.len, 60000);
        assert_int_equal(l.text[0], '0' + i);
        assert_memory_equal(l.text + 3, body, 60000 - 3);
        assert_int_equal(l.lineno, (uint64_t)i + 1);
    }
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
    free(body);
    buf_free(&b);
}

static void test_exactly_64k(void **state)
{
    (void)state;
    char *line = repeat('z', URL_MAX_LINE);
    struct buf b = {0};
    buf_add(&b, line, URL_MAX_LINE);
    buf_adds(&b, "\nnext\n");
    const char *path = unit_file("64k.txt", b.p, b.len);
    struct input *in = one_file(&path);
    struct input_line l;
    assert_int_equal(input_next(in, &l), INPUT_LINE);
    assert_false(l.too_long);
    assert_int_equal(l.len, URL_MAX_LINE);
    NEXT_LINE(in, &l, "next", path, 2);
    input_free(in);
    free(line);
    buf_free(&b);
}

/* A file with a line of N 'x' bytes (after PREFIX) between "a" and "b". */
static void check_too_long(const char *name, const char *prefix, size_t n, bool final_newline)
{
    struct buf b = {0};
    buf_adds(&b, "a\n");
    buf_adds(&b, prefix);
    char *x = repeat('x', n);
    buf_add(&b, x, n);
    free(x);
    if (final_newline)
        buf_adds(&b, "\n\nb\n");
    const char *path = unit_file(name, b.p, b.len);
    buf_free(&b);

    struct input *in = one_file(&path);
    struct input_line l;
    NEXT_LINE(in, &l, "a", path, 1);
    assert_int_equal(input_next(in, &l), INPUT_LINE);
    assert_true(l.too_long);
    assert_int_equal(l.lineno, 2);
    /* its (trimmed) start is kept: enough for 256 characters of any width */
    assert_true(l.len >= 4 * 256 && l.len < URL_MAX_LINE);
    assert_int_equal(l.text[0], 'x');
    for (size_t i = 0; i < l.len; i++)
        assert_int_equal(l.text[i], 'x');
    if (final_newline)
        NEXT_LINE(in, &l, "b", path, 4);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_too_long(void **state)
{
    (void)state;
    check_too_long("long1.txt", "", URL_MAX_LINE + 1, true);
    check_too_long("long2.txt", "", 70000, true);
    /* longer than the whole read buffer */
    check_too_long("long3.txt", "", 300000, true);
    /* at the end of the file, without a newline */
    check_too_long("long4.txt", "", 200000, false);
    /* leading blanks are trimmed from the kept start */
    check_too_long("long5.txt", "   \t", 100000, true);
}

static void test_several_files(void **state)
{
    (void)state;
    const char *paths[] = {unit_text_file("f1.txt", "one\n# skip\ntwo\n"),
                           unit_text_file("f2.txt", "three"), unit_text_file("f3.txt", "\nfour\n")};
    struct input *in = input_new(NULL, 0, (char *const *)(uintptr_t)paths, 3);
    struct input_line l;
    NEXT_LINE(in, &l, "one", paths[0], 1);
    NEXT_LINE(in, &l, "two", paths[0], 3);
    NEXT_LINE(in, &l, "three", paths[1], 1); /* numbering restarts per file */
    NEXT_LINE(in, &l, "four", paths[2], 2);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_unreadable_file_continues(void **state)
{
    (void)state;
    const char *paths[] = {"/nonexistent/urls.txt", unit_text_file("after.txt", "ok\n"),
                           unit_tmpdir(), unit_text_file("last.txt", "end\n")};
    struct input *in = input_new(NULL, 0, (char *const *)(uintptr_t)paths, 4);
    struct input_line l;
    NEXT_STATUS(in, &l, INPUT_ERROR);
    assert_non_null(strstr(input_error(in), "/nonexistent/urls.txt"));
    NEXT_LINE(in, &l, "ok", paths[1], 1);
    NEXT_STATUS(in, &l, INPUT_ERROR);
    assert_non_null(strstr(input_error(in), "Is a directory"));
    assert_non_null(strstr(input_error(in), paths[2]));
    NEXT_LINE(in, &l, "end", paths[3], 1);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

/* ---- --url values ------------------------------------------------------- */

static void test_urls_first(void **state)
{
    (void)state;
    const char *path = unit_text_file("after-urls.txt", "from-file\n");
    struct input *in = input_new(LIST("u1", "  u2 \t", "", "# comment", "u5"), 5,
                                 (char *const *)(uintptr_t)&path, 1);
    struct input_line l;
    NEXT_LINE(in, &l, "u1", "arg", 1);
    NEXT_LINE(in, &l, "u2", "arg", 2);
    NEXT_LINE(in, &l, "u5", "arg", 5); /* the index among --url values */
    NEXT_LINE(in, &l, "from-file", path, 1);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_urls_only_no_stdin(void **state)
{
    (void)state;
    /* with --url values and no FILE, stdin is not read */
    struct input *in = input_new(LIST("only"), 1, NULL, 0);
    struct input_line l;
    NEXT_LINE(in, &l, "only", "arg", 1);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_url_too_long(void **state)
{
    (void)state;
    char *big = repeat('w', URL_MAX_LINE + 10);
    struct input *in = input_new(LIST(big, "next"), 2, NULL, 0);
    struct input_line l;
    assert_int_equal(input_next(in, &l), INPUT_LINE);
    assert_true(l.too_long);
    assert_string_equal(l.source, "arg");
    assert_int_equal(l.lineno, 1);
    assert_true(l.len >= 4 * 256 && l.len < URL_MAX_LINE);
    NEXT_LINE(in, &l, "next", "arg", 2);
    input_free(in);
    free(big);
}

/* ---- stdin -------------------------------------------------------------- */

struct stdin_pipe {
    int saved; /* the real stdin */
    int wr;    /* the test's end */
};

static int stdin_setup(void **state)
{
    struct stdin_pipe *p = calloc(1, sizeof *p);
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    p->saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    p->wr = fds[1];
    *state = p;
    return 0;
}

static int stdin_teardown(void **state)
{
    struct stdin_pipe *p = *state;
    if (p->wr >= 0)
        close(p->wr);
    dup2(p->saved, STDIN_FILENO);
    close(p->saved);
    free(p);
    return 0;
}

static void feed(struct stdin_pipe *p, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(write(p->wr, s, n), (ssize_t)n);
}

static void hang_up(struct stdin_pipe *p)
{
    close(p->wr);
    p->wr = -1;
}

static void test_stdin_default(void **state)
{
    struct stdin_pipe *p = *state;
    struct input *in = input_new(NULL, 0, NULL, 0);
    struct input_line l;
    NEXT_STATUS(in, &l, INPUT_AGAIN); /* open, but nothing written yet */
    assert_int_equal(input_fd(in), STDIN_FILENO);
    NEXT_STATUS(in, &l, INPUT_AGAIN);
    feed(p, "  first  \n");
    NEXT_LINE(in, &l, "first", "-", 1);
    NEXT_STATUS(in, &l, INPUT_AGAIN);
    feed(p, "\n# comment\nsec");
    NEXT_STATUS(in, &l, INPUT_AGAIN); /* a partial line waits */
    feed(p, "ond\r\nthird");
    NEXT_LINE(in, &l, "second", "-", 4);
    NEXT_STATUS(in, &l, INPUT_AGAIN);
    hang_up(p);
    NEXT_LINE(in, &l, "third", "-", 5); /* EOF ends the last line */
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
    /* input_free leaves stdin open */
    assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);
}

/* stdin's BOM, even when it comes a byte at a time. */
static void test_stdin_bom(void **state)
{
    struct stdin_pipe *p = *state;
    struct input *in = input_new(NULL, 0, NULL, 0);
    struct input_line l;
    feed(p, "\xEF");
    NEXT_STATUS(in, &l, INPUT_AGAIN);
    feed(p, "\xBB");
    NEXT_STATUS(in, &l, INPUT_AGAIN);
    feed(p, "\xBF"
            "first\n\xEF\xBB\xBF"
            "second\n");
    NEXT_LINE(in, &l, "first", "-", 1);
    NEXT_LINE(in, &l,
              "\xEF\xBB\xBF"
              "second",
              "-", 2);
    hang_up(p);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

/* A BOM's first byte and then the end: a line of that byte. */
static void test_stdin_bom_prefix_only(void **state)
{
    struct stdin_pipe *p = *state;
    struct input *in = input_new(NULL, 0, NULL, 0);
    struct input_line l;
    feed(p, "\xEF");
    NEXT_STATUS(in, &l, INPUT_AGAIN);
    hang_up(p);
    NEXT_LINE(in, &l, "\xEF", "-", 1);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_stdin_empty(void **state)
{
    struct stdin_pipe *p = *state;
    struct input *in = input_new(NULL, 0, NULL, 0);
    struct input_line l;
    hang_up(p);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_stdin_dash_among_files(void **state)
{
    struct stdin_pipe *p = *state;
    const char *paths[] = {unit_text_file("before.txt", "f\n"), "-",
                           unit_text_file("behind.txt", "g\n")};
    struct input *in = input_new(NULL, 0, (char *const *)(uintptr_t)paths, 3);
    struct input_line l;
    NEXT_LINE(in, &l, "f", paths[0], 1);
    feed(p, "s\n");
    NEXT_LINE(in, &l, "s", "-", 1);
    NEXT_STATUS(in, &l, INPUT_AGAIN); /* the next file waits for stdin's end */
    hang_up(p);
    NEXT_LINE(in, &l, "g", paths[2], 1);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
}

static void test_stdin_too_long_in_chunks(void **state)
{
    struct stdin_pipe *p = *state;
    struct input *in = input_new(NULL, 0, NULL, 0);
    struct input_line l;
    char *chunk = repeat('v', 40000); /* less than a pipe holds */
    feed(p, "a\n");
    NEXT_LINE(in, &l, "a", "-", 1);
    feed(p, chunk);
    NEXT_STATUS(in, &l, INPUT_AGAIN);
    feed(p, chunk);
    assert_int_equal(input_next(in, &l), INPUT_LINE);
    assert_true(l.too_long);
    assert_int_equal(l.lineno, 2);
    assert_int_equal(l.text[0], 'v');
    feed(p, chunk); /* the rest of the long line is skipped */
    NEXT_STATUS(in, &l, INPUT_AGAIN);
    feed(p, "vvv\nb\n");
    NEXT_LINE(in, &l, "b", "-", 3);
    hang_up(p);
    NEXT_STATUS(in, &l, INPUT_EOF);
    input_free(in);
    free(chunk);
}

/* ---- the limit ------------------------------------------------------------ */

/* The 64 KiB limit is applied after trimming: a 64 KiB URL is accepted with
 * an LF line end and with CRLF (or a trailing blank) alike. */
static void test_limit_after_trim(void **state)
{
    (void)state;
    struct buf b = {0};
    char *line = repeat('z', URL_MAX_LINE);
    buf_add(&b, line, URL_MAX_LINE);
    buf_adds(&b, "\r\n");
    const char *path = unit_file("64k-crlf.txt", b.p, b.len);
    struct input *in = one_file(&path);
    struct input_line l;
    assert_int_equal(input_next(in, &l), INPUT_LINE);
    assert_false(l.too_long);
    assert_int_equal(l.len, URL_MAX_LINE);
    input_free(in);
    free(line);
    buf_free(&b);
}

/* ---- one rule for long lines, whatever the source ------------------------ */

enum source { SRC_FILE, SRC_SLOW_PIPE, SRC_STDIN };

/* Append what IN hands out now to SUM as "LINENO:L|T:LEN:FIRST4;" (T: too
 * long); false once at EOF. */
static bool drain_lines(struct input *in, struct buf *sum)
{
    struct input_line l;
    for (;;) {
        enum input_status st = input_next(in, &l);
        if (st == INPUT_EOF)
            return false;
        if (st == INPUT_AGAIN)
            return true;
        assert_int_equal(st, INPUT_LINE);
        buf_addf(sum, "%llu:%c:%zu:%.*s;", (unsigned long long)l.lineno, l.too_long ? 'T' : 'L',
                 l.len, (int)(l.len < 4 ? l.len : 4), l.text);
    }
}

/* DATA (LEN bytes) read from SRC: a regular file; a pipe opened by name and
 * written 1000 bytes at a time, read between writes; stdin fed in chunks of
 * 40000. The lines it gave, as drain_lines writes them (caller frees). */
static char *lines_from(enum source src, const char *data, size_t len)
{
    struct buf sum = {0};
    int fds[2] = {-1, -1}, saved = -1;
    char path[64];
    const char *name = path;
    if (src == SRC_FILE) {
        name = unit_file("rule.txt", data, len);
    } else {
        assert_int_equal(pipe(fds), 0);
        snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
        if (src == SRC_STDIN) {
            saved = dup(STDIN_FILENO);
            dup2(fds[0], STDIN_FILENO);
            name = "-";
        }
    }
    struct input *in = input_new(NULL, 0, LIST(name), 1);
    bool more = true;
    if (src != SRC_FILE) {
        size_t chunk = src == SRC_SLOW_PIPE ? 1000 : 40000;
        for (size_t off = 0; off < len; off += chunk) {
            size_t n = len - off < chunk ? len - off : chunk;
            assert_int_equal(write(fds[1], data + off, n), (ssize_t)n);
            assert_true(drain_lines(in, &sum));
        }
        close(fds[1]);
    }
    while (more)
        more = drain_lines(in, &sum);
    input_free(in);
    if (src != SRC_FILE)
        close(fds[0]);
    if (saved >= 0) {
        dup2(saved, STDIN_FILENO);
        close(saved);
    }
    char *out = strdup(sum.p ? buf_str(&sum) : "");
    buf_free(&sum);
    return out;
}

/* DATA gives exactly WANT from each source. */
static void same_from_every_source(const struct buf *data, const char *want)
{
    static const char *const names[] = {"a regular file", "a slow pipe", "stdin"};
    for (int src = SRC_FILE; src <= SRC_STDIN; src++) {
        char *got = lines_from((enum source)src, data->p, data->len);
        if (strcmp(got, want))
            fail_msg("from %s:\n  got  %s\n  want %s", names[src], got, want);
        free(got);
    }
}

static void add_n(struct buf *b, char c, size_t n)
{
    char *s = repeat(c, n);
    buf_add(b, s, n);
    free(s);
}

static void test_long_line_rule(void **state)
{
    (void)state;
    struct buf b = {0};
    /* the line: over the buffer, its first 2 KiB blanks: too long */
    buf_adds(&b, "a\n");
    add_n(&b, ' ', 3000);
    add_n(&b, 'x', 300000);
    buf_adds(&b, "\nb\n");
    same_from_every_source(&b, "1:L:1:a;2:T:2048:xxxx;3:L:1:b;");
    /* 70 KiB of blanks around a short URL: the trimmed line is short */
    buf_clear(&b);
    add_n(&b, '\t', 70000);
    buf_adds(&b, "https://a/");
    add_n(&b, ' ', 70000);
    buf_adds(&b, "\r\nnext\n");
    same_from_every_source(&b, "1:L:10:http;2:L:4:next;");
    /* exactly 64 KiB between blanks is fine; one byte more is not */
    buf_clear(&b);
    add_n(&b, ' ', 5000);
    add_n(&b, 'y', URL_MAX_LINE);
    add_n(&b, ' ', 5000);
    buf_addc(&b, '\n');
    add_n(&b, ' ', 5000);
    add_n(&b, 'z', URL_MAX_LINE + 1);
    buf_addc(&b, '\n');
    same_from_every_source(&b, "1:L:65536:yyyy;2:T:2048:zzzz;");
    /* blanks inside count: 40 KiB, 30 KiB of blanks, 1 byte */
    buf_clear(&b);
    add_n(&b, 'q', 40000);
    add_n(&b, ' ', 30000);
    buf_adds(&b, "q\nlast");
    same_from_every_source(&b, "1:T:2048:qqqq;2:L:4:last;");
    /* a long comment and a long blank line get no record */
    buf_clear(&b);
    add_n(&b, ' ', 80000);
    buf_adds(&b, "# ");
    add_n(&b, 'c', 100000);
    buf_addc(&b, '\n');
    add_n(&b, ' ', 200000);
    buf_adds(&b, "\nend\n");
    same_from_every_source(&b, "3:L:3:end;");
    /* a long last line without a newline */
    buf_clear(&b);
    add_n(&b, ' ', 100000);
    buf_adds(&b, "{\"url\":\"x\"}");
    same_from_every_source(&b, "1:L:11:{\"ur;");
    buf_free(&b);
}

/* ---- counting ----------------------------------------------------------- */

static void test_count(void **state)
{
    (void)state;
    const char *a = unit_text_file("count-a.txt", "x\n\n  # c\n  y \n\tz"); /* no final newline */
    const char *b = unit_text_file("count-b.txt", "#only a comment\n\r\n");
    assert_int_equal(input_count(LIST("u1", " ", "#c"), 3, LIST(a, b), 2), 4);
    assert_int_equal(input_count(NULL, 0, LIST(b), 1), 0);
    assert_int_equal(input_count(NULL, 0, NULL, 0), -1); /* stdin */
    assert_int_equal(input_count(NULL, 0, LIST(a, "-"), 2), -1);
    assert_int_equal(input_count(NULL, 0, LIST("/nonexistent/x"), 1), -1);
}

/* What was never handed out: the rest of the open file (its buffer and
 * beyond), the later files and --url values; lines only. */
static void test_unread(void **state)
{
    (void)state;
    struct buf big = {0};
    for (int i = 0; i < 30000; i++) /* far more than one read's buffer */
        buf_addf(&big, "https://h/%d\n%s", i, i % 3 ? "" : "# comment\n\n");
    const char *a = unit_text_file("unread-a.txt", big.p);
    const char *b = unit_text_file("unread-b.txt", "b1\n b2\n#x\n");
    struct input *in = input_new(LIST("u1", "#u2", "u3"), 3, LIST(a, b), 2);
    struct input_line l;
    const char *src = "stale";
    assert_int_equal(input_unread(in, &src), 3 - 1 + 30000 + 2); /* nothing read yet */
    input_free(in);

    in = input_new(LIST("u1", "#u2", "u3"), 3, LIST(a, b), 2);
    NEXT_LINE(in, &l, "u1", "arg", 1);
    NEXT_LINE(in, &l, "u3", "arg", 3);
    NEXT_LINE(in, &l, "https://h/0", a, 1);
    NEXT_LINE(in, &l, "https://h/1", a, 4);
    assert_int_equal(input_unread(in, &src), 29998 + 2);
    assert_null(src);
    input_free(in);

    /* inside an over-long line: its rest is not a line */
    char *longl = repeat('x', URL_MAX_LINE + 5000);
    struct buf c = {0};
    buf_addf(&c, "%s\nc1\nc2\n", longl);
    const char *cp = unit_text_file("unread-c.txt", c.p);
    in = one_file(&cp);
    assert_int_equal(input_next(in, &l), INPUT_LINE);
    assert_true(l.too_long);
    assert_int_equal(input_unread(in, &src), 2);
    input_free(in);
    free(longl);
    buf_free(&c);
    buf_free(&big);
}

static void test_unread_stdin_pipe(void **state)
{
    struct stdin_pipe *p = *state;
    const char *f = unit_text_file("after-stdin.txt", "f1\n");
    struct input *in = input_new(NULL, 0, LIST("-", f), 2);
    struct input_line l;
    feed(p, "s1\ns2\n");
    NEXT_LINE(in, &l, "s1", "-", 1);
    const char *src = NULL;
    assert_int_equal(input_unread(in, &src), -1); /* a pipe cannot be counted */
    assert_string_equal(src, "stdin");
    input_free(in);
    /* not opened yet: the same */
    in = input_new(NULL, 0, NULL, 0);
    src = NULL;
    assert_int_equal(input_unread(in, &src), -1);
    assert_string_equal(src, "stdin");
    input_free(in);
    /* a later source that is a pipe is named */
    const char *fifo = unit_text_file("fifo-name", "");
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    in = input_new(NULL, 0, LIST(f, fifo), 2); /* no writer: counting must not wait for one */
    NEXT_LINE(in, &l, "f1", f, 1);
    src = NULL;
    assert_int_equal(input_unread(in, &src), -1);
    assert_string_equal(src, fifo);
    input_free(in);
    assert_int_equal(input_count(NULL, 0, LIST(fifo), 1), -1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_trim_and_skip),
    cmocka_unit_test(test_crlf),
    cmocka_unit_test(test_no_trailing_newline),
    cmocka_unit_test(test_bom_file),
    cmocka_unit_test(test_empty_and_blank_files),
    cmocka_unit_test(test_text_is_lent),
    cmocka_unit_test(test_many_lines),
    cmocka_unit_test(test_long_lines_within_limit),
    cmocka_unit_test(test_exactly_64k),
    cmocka_unit_test(test_too_long),
    cmocka_unit_test(test_several_files),
    cmocka_unit_test(test_unreadable_file_continues),
    cmocka_unit_test(test_urls_first),
    cmocka_unit_test(test_urls_only_no_stdin),
    cmocka_unit_test(test_url_too_long),
    cmocka_unit_test_setup_teardown(test_stdin_default, stdin_setup, stdin_teardown),
    cmocka_unit_test_setup_teardown(test_stdin_bom, stdin_setup, stdin_teardown),
    cmocka_unit_test_setup_teardown(test_stdin_bom_prefix_only, stdin_setup, stdin_teardown),
    cmocka_unit_test_setup_teardown(test_stdin_empty, stdin_setup, stdin_teardown),
    cmocka_unit_test_setup_teardown(test_stdin_dash_among_files, stdin_setup, stdin_teardown),
    cmocka_unit_test_setup_teardown(test_stdin_too_long_in_chunks, stdin_setup, stdin_teardown),
    cmocka_unit_test(test_limit_after_trim),
    cmocka_unit_test(test_long_line_rule),
    cmocka_unit_test(test_count),
    cmocka_unit_test(test_unread),
    cmocka_unit_test_setup_teardown(test_unread_stdin_pipe, stdin_setup, stdin_teardown),
};

UNIT_MAIN("input", tests)
