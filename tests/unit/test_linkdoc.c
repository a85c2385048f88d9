/* test_linkdoc: the documents of a --links run: a folder walked in sorted
 * order for the known extensions (hidden entries and linked folders
 * skipped), each document's name, path under the folder given, root and
 * format; named files; an unreadable one skipped; the format of a fetched
 * document by its type. (URL documents are fetched in tests/e2e/links.bats.) */
#include "unit.h"

#include "linkdoc.h"

struct seen {
    struct buf log; /* "NAME|REL|ROOT|FMT|DATA\n" per document */
};

static void collect(void *arg, const struct linkdoc *d)
{
    struct seen *s = arg;
    buf_addf(&s->log, "%s|%s|%s|%s|%.*s\n", d->name, d->rel ? d->rel : "(none)",
             d->root ? d->root : "(none)", links_format_name(d->fmt), (int)d->len, d->data);
    assert_true(d->local);
    assert_null(d->url);
}

static void mk(const char *dir, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void mkd(const char *dir, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void rm_rf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_walk(void **state)
{
    (void)state;
    char root[256];
    snprintf(root, sizeof root, "%s/tree", unit_tmpdir());
    assert_int_equal(mkdir(root, 0755), 0);
    mkd(root, "sub");
    mkd(root, ".git");
    mkd(root, "real");
    mk(root, "b.md", "B");
    mk(root, "A.HTM", "A");
    mk(root, "c.markdown", "C");
    mk(root, "sitemap.xml", "S");
    mk(root, "other.xml", "not a document");
    mk(root, "notes.txt", "not walked");
    mk(root, ".hidden.md", "hidden");
    mk(root, ".git/x.md", "hidden");
    mk(root, "sub/d.html", "D");
    mk(root, "real/e.md", "E");
    char link[300];
    snprintf(link, sizeof link, "%s/zlink", root);
    assert_int_equal(symlink("real", link), 0); /* a linked folder: skipped */
    snprintf(link, sizeof link, "%s/f.md", root);
    assert_int_equal(symlink("b.md", link), 0); /* a linked file: read */

    struct buf arg = {0};
    buf_addf(&arg, "%s//", root); /* trailing slashes do not count */
    char *files[] = {arg.p};
    struct config cfg = {.files = files, .nfiles = 1};
    struct seen s = {0};
    assert_true(linkdoc_each(&cfg, collect, &s));
    struct buf want = {0};
    buf_addf(&want,
             "%s/A.HTM|A.HTM|%s|html|A\n"
             "%s/b.md|b.md|%s|md|B\n"
             "%s/c.markdown|c.markdown|%s|md|C\n"
             "%s/f.md|f.md|%s|md|B\n"
             "%s/real/e.md|real/e.md|%s|md|E\n"
             "%s/sitemap.xml|sitemap.xml|%s|sitemap|S\n"
             "%s/sub/d.html|sub/d.html|%s|html|D\n",
             root, root, root, root, root, root, root, root, root, root, root, root, root, root);
    assert_string_equal(buf_str(&s.log), want.p);

    /* --links-format reads every document in one format */
    buf_clear(&s.log);
    cfg.links_format = "text";
    assert_true(linkdoc_each(&cfg, collect, &s));
    assert_non_null(strstr(s.log.p, "/b.md|b.md|"));
    assert_null(strstr(s.log.p, "|md|"));
    buf_free(&s.log);
    buf_free(&want);
    buf_free(&arg);
    rm_rf(root);
}

static void test_named_files(void **state)
{
    (void)state;
    char root[256];
    snprintf(root, sizeof root, "%s/named", unit_tmpdir());
    assert_int_equal(mkdir(root, 0755), 0);
    mk(root, "notes.txt", "N");
    mk(root, "page.html", "P");
    char here[300], missing[300];
    snprintf(here, sizeof here, "%s/notes.txt", root);
    snprintf(missing, sizeof missing, "%s/gone.md", root);
    assert_int_equal(chdir(root), 0);
    static char dot[] = "./page.html", plain[] = "page.html";
    char *files[] = {here, missing, dot, plain};
    struct config cfg = {.files = files, .nfiles = 4};
    struct seen s = {0};
    /* a file that cannot be read is skipped: the others are read, the result false */
    assert_false(linkdoc_each(&cfg, collect, &s));
    struct buf want = {0};
    buf_addf(&want,
             "%s|%s|%s|text|N\n"
             "./page.html|page.html|.|html|P\n"
             "page.html|page.html|.|html|P\n",
             here, here, root);
    assert_string_equal(buf_str(&s.log), want.p);
    buf_free(&s.log);
    buf_free(&want);
    assert_int_equal(chdir("/"), 0);
    rm_rf(root);
}

static void test_url_format(void **state)
{
    (void)state;
    assert_int_equal(linkdoc_url_format("text/html; charset=utf-8", "https://a/x.md"),
                     LINKS_FORMAT_HTML);
    assert_int_equal(linkdoc_url_format("application/xhtml+xml", "https://a/"), LINKS_FORMAT_HTML);
    assert_int_equal(linkdoc_url_format("application/xml", "https://a/feed"), LINKS_FORMAT_SITEMAP);
    assert_int_equal(linkdoc_url_format("Text/XML", "https://a/s"), LINKS_FORMAT_SITEMAP);
    assert_int_equal(linkdoc_url_format("text/markdown", "https://a/x"), LINKS_FORMAT_MD);
    /* else by the path's last segment, the query and fragment aside */
    assert_int_equal(linkdoc_url_format("text/plain", "https://a/docs/README.md?raw=1#top"),
                     LINKS_FORMAT_MD);
    assert_int_equal(linkdoc_url_format(NULL, "https://a/sitemap_index.xml"), LINKS_FORMAT_SITEMAP);
    assert_int_equal(linkdoc_url_format("application/octet-stream", "https://a/x"),
                     LINKS_FORMAT_TEXT);
    assert_int_equal(linkdoc_url_format("text/htmlx", "https://a/"), LINKS_FORMAT_TEXT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_named_files),
        cmocka_unit_test(test_url_format),
    };
    return cmocka_run_group_tests_name("linkdoc", tests, NULL, unit_cleanup);
}
