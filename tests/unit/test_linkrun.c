/* test_linkrun: documents → the distinct URLs (their normal form, first
 * place, every place and the fragments asked for) and the local files
 * (checked, their records written first): link kinds, --base with the
 * document's path, <base href>, scheme-relative links, links that do not
 * parse, --include-url/--exclude-url, fragment-only links, the summary line
 * and the usage errors. */
#include "unit.h"

#include "cli.h"
#include "linkrun.h"
#include "record.h"

/* A parsed command line for ARGS (NULL-terminated), kept with its argv. */
struct cmd {
    char *argv[32];
    int argc;
    struct config cfg;
};

static void cmd_parse(struct cmd *c, const char *const *args)
{
    memset(c, 0, sizeof *c);
    c->argv[c->argc++] = strdup("volley");
    for (; *args; args++)
        c->argv[c->argc++] = strdup(*args);
    struct buf err = {0};
    if (cli_parse(c->argc, c->argv, &c->cfg, stdout, &err) != CLI_RUN)
        fail_msg("cli_parse: %s", buf_str(&err));
    buf_free(&err);
}

static void cmd_free(struct cmd *c)
{
    cli_free(&c->cfg);
    for (int i = 0; i < c->argc; i++)
        free(c->argv[i]);
}

#define CMD(c, ...) cmd_parse(c, (const char *const[]){__VA_ARGS__, NULL})

static char tree[256];

static void mk(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tree, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0755);
    *slash = '/';
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int tree_setup(void **state)
{
    (void)state;
    snprintf(tree, sizeof tree, "%s/t%d", unit_tmpdir(), (int)getpid());
    assert_int_equal(mkdir(tree, 0755), 0);
    return chdir(tree);
}

static int tree_teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tree);
    if (chdir("/") != 0 || system(cmd) != 0)
        return -1;
    return 0;
}

/* The URL items as "URL <FILE:LINE> [places] {fragments}", one a line. */
static void items_text(const struct linkrun *lr, struct buf *out)
{
    size_t n;
    const struct input_item *it = linkrun_items(lr, &n);
    for (size_t i = 0; i < n; i++) {
        buf_addf(out, "%s <%s:%lu> [", it[i].text, it[i].source, (unsigned long)it[i].lineno);
        const struct record_link *l = it[i].link;
        for (size_t j = 0; j < l->nsources; j++)
            buf_addf(out, "%s%s:%lu:%lu%s%s", j ? " " : "", l->sources[j].file,
                     (unsigned long)l->sources[j].line, (unsigned long)l->sources[j].column,
                     l->sources[j].fragment ? "#" : "",
                     l->sources[j].fragment ? l->sources[j].fragment : "");
        buf_adds(out, "] {");
        for (size_t j = 0; j < l->nfragments; j++)
            buf_addf(out, "%s%s", j ? " " : "", l->fragments[j]);
        buf_adds(out, "}\n");
    }
    buf_str(out);
}

/* The local files' records as JSON Lines, written by a writer into a file. */
static char *local_records(struct linkrun *lr, uint64_t *taken)
{
    const char *path = unit_file("local.jsonl", "", 0);
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    struct report *rep = report_new();
    struct writer_options wo = {
        .out = {.format = FORMAT_JSONL, .fd = fd, .window = 16}, .rep = rep, .summary_fd = -1};
    struct writer *w = writer_new(&wo);
    *taken = linkrun_check_local(lr, NULL, w);
    assert_true(writer_sync(w, -1)); /* stdout's thread has written them */
    writer_free(w);
    report_free(rep);
    close(fd);
    FILE *f = fopen(path, "r");
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    char *s = strdup(buf_str(&b));
    buf_free(&b);
    return s;
}

static void test_sets(void **state)
{
    (void)state;
    mk("a.md", "[x](http://A.test:80/p#f2) [y](http://a.test/./p#f1)\n"
               "[z](sub/b.md#h) [w](#self) [m](mailto:x@y.test) [n](ftp://f.test/)\n"
               "[o](//cdn.test/lib.js) [q](http://a.test/p#f1)\n"
               "`http://a.test/code` <http://a.test/auto>\n");
    mk("sub/b.md", "# H\n\n[back](../a.md) [gone](missing.md?x#y) [same](../sub/b.md)\n");
    struct cmd c;
    CMD(&c, "--links", "--check-fragments", ".");
    struct buf err = {0}, out = {0};
    struct linkrun *lr = linkrun_new(&c.cfg, &err);
    assert_non_null(lr);
    assert_true(linkrun_read(lr));
    items_text(lr, &out);
    assert_string_equal(out.p, "http://a.test/p <./a.md:1> [./a.md:1:5#f2 ./a.md:1:32#f1 "
                               "./a.md:3:28#f1] {f1 f2}\n"
                               "https://cdn.test/lib.js <./a.md:3> [./a.md:3:5] {}\n"
                               "http://a.test/auto <./a.md:4> [./a.md:4:23] {}\n");
    buf_clear(&out);
    linkrun_summary(lr, &out);
    assert_string_equal(out.p, "volley: 2 documents, 12 links: 3 URLs to fetch, 3 local files; "
                               "not checked: 1 mailto:/tel:/javascript:/data:, 1 other schemes\n");
    assert_int_equal(linkrun_nlocal(lr), 3);
    uint64_t taken;
    char *recs = local_records(lr, &taken);
    assert_int_equal(taken, 3);
    /* sub/b.md: #h is its heading; ./a.md: first found as its own "#self"
     * (missing), then written "../a.md"; the missing file */
    assert_non_null(strstr(recs, "{\"seq\":1,\"input\":\"./a.md:2\",\"url\":\"sub/b.md\","
                                 "\"url_effective\":\"./sub/b.md\",\"method\":\"GET\","
                                 "\"http_code\":0,\"ok\":true,\"error\":null,\"attempts\":0,"));
    assert_non_null(strstr(recs, "\"sources\":[\"./a.md:2:5\",\"./sub/b.md:3:47\"]}\n"));
    assert_non_null(strstr(recs, "{\"seq\":2,\"input\":\"./a.md:2\",\"url\":\"../a.md\","
                                 "\"url_effective\":\"./a.md\",\"method\":\"GET\",\"http_code\":0,"
                                 "\"ok\":false,\"error\":{\"kind\":\"check\",\"code\":null,"
                                 "\"message\":\"missing fragment #self\"}"));
    assert_non_null(strstr(recs, "\"checks\":[{\"check\":\"fragment\",\"expected\":\"#self\","
                                 "\"actual\":\"no such anchor\"}],\"sources\":[\"./a.md:2:21\","
                                 "\"./sub/b.md:3:8\"]}\n"));
    assert_non_null(strstr(recs, "{\"seq\":3,\"input\":\"./sub/b.md:3\",\"url\":\"missing.md\","
                                 "\"url_effective\":\"./sub/missing.md\",\"method\":\"GET\","
                                 "\"http_code\":0,\"ok\":false,\"error\":{\"kind\":\"missing\""));
    assert_non_null(strstr(recs, "\"scheme\":\"file\""));
    free(recs);
    linkrun_free(lr);
    cmd_free(&c);
    buf_free(&out);
    buf_free(&err);
}

static void test_base(void **state)
{
    (void)state;
    mk("x y#1.md", "[r](rel.html) [f](#frag) [n](//cdn.test/x)\n");
    mk("sub/c.md", "[u](../up.md) [s](/root.md)\n");
    mk("sub/p.html", "<base href=\"/b/\"><a href=\"x\">x</a> <a href=\"#top\">t</a>\n");
    struct cmd c;
    CMD(&c, "--links", "--base", "https://docs.test/root/", "x y#1.md", "sub", "-q");
    struct buf err = {0}, out = {0};
    struct linkrun *lr = linkrun_new(&c.cfg, &err);
    assert_non_null(lr);
    assert_true(linkrun_read(lr));
    items_text(lr, &out);
    /* the named file at BASE + its name ('#' escaped); sub's files at BASE + their path
     * under sub (so ../up.md leaves the root); <base href> over them; a fragment-only
     * link never resolves */
    assert_string_equal(out.p, "https://docs.test/root/rel.html <x y#1.md:1> [x y#1.md:1:5] {}\n"
                               "https://cdn.test/x <x y#1.md:1> [x y#1.md:1:30] {}\n"
                               "https://docs.test/up.md <sub/c.md:1> [sub/c.md:1:5] {}\n"
                               "https://docs.test/root.md <sub/c.md:1> [sub/c.md:1:19] {}\n"
                               "https://docs.test/b/x <sub/p.html:1> [sub/p.html:1:27] {}\n");
    assert_int_equal(linkrun_nlocal(lr), 0);
    linkrun_free(lr);
    cmd_free(&c);
    buf_free(&out);
    buf_free(&err);
}

static void test_filters(void **state)
{
    (void)state;
    mk("l.txt", "http://a.test/keep http://a.test/drop http://b.test/x http://b.test/keep\n");
    struct cmd c;
    struct buf err = {0}, out = {0};
    /* an include, and an exclude within it */
    CMD(&c, "--links", "--include-url", "^http://a\\.test/", "--include-url", "keep$",
        "--exclude-url", "b\\.test", "l.txt");
    struct linkrun *lr = linkrun_new(&c.cfg, &err);
    assert_non_null(lr);
    assert_true(linkrun_read(lr));
    items_text(lr, &out);
    assert_string_equal(out.p, "http://a.test/keep <l.txt:1> [l.txt:1:1] {}\n"
                               "http://a.test/drop <l.txt:1> [l.txt:1:20] {}\n");
    buf_clear(&out);
    linkrun_summary(lr, &out);
    assert_non_null(strstr(out.p, "; not checked: 2 excluded (--include-url, --exclude-url)\n"));
    linkrun_free(lr);
    cmd_free(&c);
    /* usage errors */
    buf_clear(&err);
    CMD(&c, "--links", "--exclude-url", "a(", "l.txt");
    assert_null(linkrun_new(&c.cfg, &err));
    assert_non_null(strstr(buf_str(&err), "--exclude-url 'a(': missing closing parenthesis"));
    cmd_free(&c);
    buf_clear(&err);
    CMD(&c, "--links", "--base", "docs/", "l.txt");
    assert_null(linkrun_new(&c.cfg, &err));
    assert_string_equal(buf_str(&err), "--base 'docs/' is not an absolute http or https URL");
    cmd_free(&c);
    buf_free(&out);
    buf_free(&err);
}

/* A document that cannot be read: said, the others read all the same. */
static void test_unreadable(void **state)
{
    (void)state;
    mk("ok.md", "[a](http://a.test/)\n");
    struct cmd c;
    CMD(&c, "--links", "gone.md", "ok.md");
    struct buf err = {0}, out = {0};
    struct linkrun *lr = linkrun_new(&c.cfg, &err);
    assert_false(linkrun_read(lr));
    items_text(lr, &out);
    assert_string_equal(out.p, "http://a.test/ <ok.md:1> [ok.md:1:5] {}\n");
    linkrun_free(lr);
    cmd_free(&c);
    buf_free(&out);
    buf_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sets, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_base, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_filters, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_unreadable, tree_setup, tree_teardown),
    };
    return cmocka_run_group_tests_name("linkrun", tests, NULL, unit_cleanup);
}
