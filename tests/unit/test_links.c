/* test_links: the links and anchors found in Markdown, HTML, sitemaps and
 * text — every URL with its exact LINE:COLUMN and kind — plus format names,
 * URL kinds, and documents that are huge, broken or random. */
#include "unit.h"

#include "buf.h"
#include "links.h"

#include <sys/mman.h>

/* ---- helpers ------------------------------------------------------------ */

static int lx_setup(void **state)
{
    *state = links_extractor_new();
    return 0;
}

static int lx_teardown(void **state)
{
    links_extractor_free(*state);
    return 0;
}

/* The links of DOC as lines "LINE:COLUMN KIND URL" ("+sitemap" after a
 * sitemap's URL), for one assert_string_equal that shows every difference. */
static char *render(const struct links_doc *d)
{
    struct buf b = {0};
    for (size_t i = 0; i < d->nlinks; i++) {
        const struct links_link *l = &d->links[i];
        buf_addf(&b, "%u:%u %s %s%s\n", (unsigned)l->line, (unsigned)l->column,
                 links_kind_name(l->kind), l->url, l->sitemap ? " +sitemap" : "");
    }
    buf_str(&b);
    return b.p ? b.p : calloc(1, 1);
}

static char *render_anchors(const struct links_doc *d)
{
    struct buf b = {0};
    for (size_t i = 0; i < d->nanchors; i++)
        buf_addf(&b, "%s\n", d->anchors[i]);
    buf_str(&b);
    return b.p ? b.p : calloc(1, 1);
}

static struct links_doc *extract(void **state, const char *text, enum links_format fmt)
{
    return links_extract(*state, text, strlen(text), fmt);
}

#define assert_links(state, text, fmt, want)                                                       \
    do {                                                                                           \
        struct links_doc *d_ = extract(state, text, fmt);                                          \
        char *got_ = render(d_);                                                                   \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
        links_doc_free(d_);                                                                        \
    } while (0)

#define assert_anchors(state, text, fmt, want)                                                     \
    do {                                                                                           \
        struct links_doc *d_ = extract(state, text, fmt);                                          \
        char *got_ = render_anchors(d_);                                                           \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
        links_doc_free(d_);                                                                        \
    } while (0)

/* Every link of D whose URL is written as is must sit at its offset, and
 * its LINE:COLUMN must agree with the offset. */
static void check_positions(const char *text, size_t len, const struct links_doc *d)
{
    size_t line = 1, start = 0, pos = 0;
    for (size_t i = 0; i < d->nlinks; i++) {
        const struct links_link *l = &d->links[i];
        assert_true(l->offset < len);
        if (l->offset + l->len > len || memcmp(text + l->offset, l->url, l->len) != 0)
            fail_msg("link %zu (%s) is not at offset %zu", i, l->url, l->offset);
        for (; pos < l->offset; pos++) { /* links come in offset order */
            if (text[pos] == '\n') {
                line++;
                start = pos + 1;
            }
        }
        assert_int_equal(l->line, line);
        assert_int_equal(l->column, l->offset - start + 1);
    }
}

/* ---- formats and kinds -------------------------------------------------- */

static void test_format_names(void **state)
{
    (void)state;
    enum links_format f;
    const char *names[] = {"md", "html", "sitemap", "text"};
    for (size_t i = 0; i < 4; i++) {
        assert_true(links_format_parse(names[i], &f));
        assert_string_equal(links_format_name(f), names[i]);
    }
    assert_false(links_format_parse("markdown", &f));
    assert_false(links_format_parse("", &f));
    assert_false(links_format_parse("HTML", &f));
}

static void test_format_guess(void **state)
{
    (void)state;
    assert_int_equal(links_format_guess("README.md"), LINKS_FORMAT_MD);
    assert_int_equal(links_format_guess("docs/Guide.MARKDOWN"), LINKS_FORMAT_MD);
    assert_int_equal(links_format_guess("site/index.html"), LINKS_FORMAT_HTML);
    assert_int_equal(links_format_guess("a.HTM"), LINKS_FORMAT_HTML);
    assert_int_equal(links_format_guess("sitemap.xml"), LINKS_FORMAT_SITEMAP);
    assert_int_equal(links_format_guess("out/sitemap-posts-2.xml"), LINKS_FORMAT_SITEMAP);
    assert_int_equal(links_format_guess("Sitemap_index.XML"), LINKS_FORMAT_SITEMAP);
    /* only the file name counts, and it must start with "sitemap" */
    assert_int_equal(links_format_guess("sitemap/feed.xml"), LINKS_FORMAT_TEXT);
    assert_int_equal(links_format_guess("my-sitemap.xml"), LINKS_FORMAT_TEXT);
    assert_int_equal(links_format_guess("sitemap.xml.gz"), LINKS_FORMAT_TEXT);
    assert_int_equal(links_format_guess("notes.txt"), LINKS_FORMAT_TEXT);
    assert_int_equal(links_format_guess("md"), LINKS_FORMAT_TEXT);
    assert_int_equal(links_format_guess("dir.md/file"), LINKS_FORMAT_TEXT);
    assert_int_equal(links_format_guess("-"), LINKS_FORMAT_TEXT);
    assert_int_equal(links_format_guess(""), LINKS_FORMAT_TEXT);
}

static void test_classify(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        enum links_kind kind;
    } cases[] = {
        {"http://a.test/", LINKS_HTTP},
        {"HTTPS://A.test", LINKS_HTTP},
        {"hTtP:relative-but-http", LINKS_HTTP},
        {"docs/a.md", LINKS_RELATIVE},
        {"/root/b.html", LINKS_RELATIVE},
        {"?q=1", LINKS_RELATIVE},
        {"../up", LINKS_RELATIVE},
        {"a:b/c", LINKS_OTHER}, /* a scheme "a" */
        {"./a:b", LINKS_RELATIVE},
        {"1abc:x", LINKS_RELATIVE}, /* a scheme starts with a letter */
        {"//cdn.test/x.js", LINKS_NETWORK},
        {"#top", LINKS_FRAGMENT},
        {"#", LINKS_FRAGMENT},
        {"mailto:x@y.test", LINKS_SKIPPED},
        {"MailTo:x@y.test", LINKS_SKIPPED},
        {"tel:+1-555", LINKS_SKIPPED},
        {"javascript:void(0)", LINKS_SKIPPED},
        {"java\nscript:alert(1)", LINKS_SKIPPED},
        {"data:image/png;base64,AAAA", LINKS_SKIPPED},
        {"ftp://f.test/", LINKS_OTHER},
        {"file:///etc/hosts", LINKS_OTHER},
        {"C:/Windows", LINKS_OTHER},
        {"averyveryverylongschemename:x", LINKS_OTHER},
        {"https", LINKS_RELATIVE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum links_kind k = links_classify(cases[i].url, strlen(cases[i].url));
        if (k != cases[i].kind)
            fail_msg("%s: %s, not %s", cases[i].url, links_kind_name(k),
                     links_kind_name(cases[i].kind));
    }
}

/* ---- Markdown ------------------------------------------------------------ */

static void test_md_inline(void **state)
{
    assert_links(state,
                 "# Title\n"
                 "\n"
                 "A [link](http://good.test/ok \"title\") and [two](docs/a.md#part).\n"
                 "Café — naïve [utf8](https://u.test/é) after multi-byte text.\n"
                 "[spaced](<http://s.test/a b>) and [next line](\n"
                 "   http://n.test/x)\n",
                 LINKS_FORMAT_MD,
                 "3:10 http http://good.test/ok\n"
                 "3:49 relative docs/a.md#part\n"
                 /* "Café — naïve " is 17 bytes, "[utf8](" 7 more */
                 "4:25 http https://u.test/é\n"
                 "5:11 http http://s.test/a b\n"
                 "6:4 http http://n.test/x\n");
}

static void test_md_reference(void **state)
{
    /* A reference link is found where its URL is written: the definition.
     * Two uses of one definition are one link; an unused one is none. */
    assert_links(state,
                 "See [one][r1], [again][r1], [r2] and [Collapsed][].\n"
                 "\n"
                 "[r1]: http://ref.test/one\n"
                 "  [r2]:\n"
                 "    <http://ref.test/two> 'title'\n"
                 "[collapsed]: ../up.md\n"
                 "[unused]: http://unused.test/\n",
                 LINKS_FORMAT_MD,
                 "3:7 http http://ref.test/one\n"
                 "5:6 http http://ref.test/two\n"
                 "6:14 relative ../up.md\n");
}

static void test_md_rebuilt_destinations(void **state)
{
    /* md4c rebuilds a destination with '\' or '&' in it: the URL is
     * decoded, the position still that of the raw text. */
    assert_links(state,
                 "[esc](http://e.test/a\\_b) [ent](http://e.test/?a=1&amp;b=2&#x41;)\n"
                 "[ref][amp] and [![badge](http://b.test/s&amp;v.svg)](http://b.test/ci\\_x)\n"
                 "<http://auto.test/?x=1&y=2> and bare http://bare.test/?p=1&q=2.\n"
                 "\n"
                 "[amp]: http://r.test/?a&amp;b\n",
                 LINKS_FORMAT_MD,
                 "1:7 http http://e.test/a_b\n"
                 "1:33 http http://e.test/?a=1&b=2A\n"
                 "2:26 http http://b.test/s&v.svg\n"
                 "2:54 http http://b.test/ci_x\n"
                 "3:2 http http://auto.test/?x=1&y=2\n"
                 "3:38 http http://bare.test/?p=1&q=2\n"
                 "5:8 http http://r.test/?a&b\n");
}

static void test_md_badge_with_data_url(void **state)
{
    /* A badge whose image is a long data: URL, inside a link md4c had to
     * rebuild: the link's "](" is found after the image's destination. */
    struct buf b = {0};
    buf_adds(&b, "[![b](data:image/png;base64,");
    for (int i = 0; i < 2000; i++)
        buf_adds(&b, "QUFB");
    buf_adds(&b, ")](http://ci.test/a\\_b)\n");
    struct links_doc *d = links_extract(*state, b.p, b.len, LINKS_FORMAT_MD);
    assert_int_equal(d->nlinks, 2);
    assert_int_equal(d->links[0].kind, LINKS_SKIPPED);
    assert_int_equal(d->links[0].column, 7);
    assert_string_equal(d->links[1].url, "http://ci.test/a_b");
    assert_int_equal(d->links[1].offset, b.len - 21); /* "http://ci.test/a\\_b)\n" */
    links_doc_free(d);
    buf_free(&b);
}

static void test_md_many_rebuilt_references(void **state)
{
    /* Each use finds its own definition (through an index, not a search
     * per use). */
    struct buf b = {0};
    enum { N = 30000 };
    for (int i = 0; i < N; i++)
        buf_addf(&b, "[use %d][r%d]\n", i, i);
    buf_adds(&b, "\n");
    size_t defs = b.len;
    for (int i = 0; i < N; i++)
        buf_addf(&b, "[r%d]: http://r.test/?n=%d&amp;x\n", i, i);
    struct links_doc *d = links_extract(*state, b.p, b.len, LINKS_FORMAT_MD);
    assert_int_equal(d->nlinks, N);
    char want[64];
    for (int i = 0; i < N; i += 997) {
        snprintf(want, sizeof want, "http://r.test/?n=%d&x", i);
        assert_string_equal(d->links[i].url, want);
        assert_true(d->links[i].offset > defs);
        assert_memory_equal(b.p + d->links[i].offset, want, 14);
        assert_int_equal(d->links[i].column, strlen("[r]: ") +
                                                 (i < 10      ? 1
                                                  : i < 100   ? 2
                                                  : i < 1000  ? 3
                                                  : i < 10000 ? 4
                                                              : 5) +
                                                 1);
    }
    links_doc_free(d);
    buf_free(&b);
}

static void test_md_autolinks(void **state)
{
    assert_links(state,
                 "Angle <https://a.test/x> and bare http://b.test/p. Then www.w.test/path,\n"
                 "(see http://c.test/a_(b)) and https://d.test/end! Mail me@x.test or\n"
                 "<mailto:them@x.test>.\n",
                 LINKS_FORMAT_MD,
                 "1:8 http https://a.test/x\n"
                 "1:35 http http://b.test/p\n"
                 "1:57 http http://www.w.test/path\n"
                 "2:6 http http://c.test/a_(b)\n"
                 "2:31 http https://d.test/end\n"
                 "2:56 skipped mailto:me@x.test\n"
                 "3:2 skipped mailto:them@x.test\n");
}

static void test_md_code_is_not_links(void **state)
{
    assert_links(state,
                 "Inline `http://code.test/a` and ``[x](http://code.test/b)``.\n"
                 "\n"
                 "```\n"
                 "http://fenced.test/ [y](http://fenced.test/z)\n"
                 "```\n"
                 "\n"
                 "~~~md\n"
                 "<http://tilde.test/>\n"
                 "~~~\n"
                 "\n"
                 "    indented http://indented.test/\n"
                 "\n"
                 "after [real](http://real.test/)\n",
                 LINKS_FORMAT_MD, "13:14 http http://real.test/\n");
}

static void test_md_tables_lists_quotes(void **state)
{
    assert_links(state,
                 "| name | link |\n"
                 "|------|------|\n"
                 "| é    | [cell](http://table.test/c) |\n"
                 "| two  | http://table.test/bare |\n"
                 "\n"
                 "- item [a](http://list.test/a)\n"
                 "  - nested [b](http://list.test/b)\n"
                 "1. numbered <http://list.test/c>\n"
                 "\n"
                 "> quoted [q](http://quote.test/q)\n"
                 "> > deeper http://quote.test/d\n",
                 LINKS_FORMAT_MD,
                 "3:18 http http://table.test/c\n"
                 "4:10 http http://table.test/bare\n"
                 "6:12 http http://list.test/a\n"
                 "7:16 http http://list.test/b\n"
                 "8:14 http http://list.test/c\n"
                 "10:14 http http://quote.test/q\n"
                 "11:12 http http://quote.test/d\n");
}

static void test_md_images(void **state)
{
    assert_links(state,
                 "![logo](img/logo.png \"Logo\") "
                 "[![CI](https://ci.test/badge.svg)](https://ci.test/run)\n",
                 LINKS_FORMAT_MD,
                 "1:9 relative img/logo.png\n"
                 "1:37 http https://ci.test/badge.svg\n"
                 "1:65 http https://ci.test/run\n");
}

static void test_md_raw_html(void **state)
{
    assert_links(state,
                 "<div align=\"center\">\n"
                 "  <a href=\"http://html.test/block\"><img src=\"logo.svg\"></a>\n"
                 "</div>\n"
                 "\n"
                 "Text <a href=\"http://html.test/inline\">inline</a> é <img\n"
                 "src=\"http://html.test/multi\">.\n"
                 "\n"
                 "<!-- <a href=\"http://comment.test/\"> -->\n",
                 LINKS_FORMAT_MD,
                 "2:12 http http://html.test/block\n"
                 "2:46 relative logo.svg\n"
                 "5:15 http http://html.test/inline\n"
                 "6:6 http http://html.test/multi\n");
}

static void test_md_crlf(void **state)
{
    assert_links(state, "line one\r\n[a](http://crlf.test/a)\r\n\r\nbare http://crlf.test/b\r\n",
                 LINKS_FORMAT_MD,
                 "2:5 http http://crlf.test/a\n"
                 "4:6 http http://crlf.test/b\n");
}

static void test_md_heading_ids(void **state)
{
    assert_anchors(state,
                   "# Getting Started\n"
                   "## What's new in v2.0?\n"
                   "## Getting Started\n"
                   "## Getting Started\n"
                   "### Ünïcode Straße & `code` *emphasis* [link](http://x.test/)\n"
                   "Setext heading\n"
                   "==============\n"
                   "## snake_case and kebab-case\n"
                   "## ![alt text](i.png) image\n"
                   "## C++ &amp; Rust\n"
                   "## !!!\n",
                   LINKS_FORMAT_MD,
                   /* sorted bytewise; "!!!" gives an empty id: no anchor */
                   "-image\n"
                   "c--rust\n"
                   "getting-started\n"
                   "getting-started-1\n"
                   "getting-started-2\n"
                   "setext-heading\n"
                   "snake_case-and-kebab-case\n"
                   "whats-new-in-v20\n"
                   "ünïcode-straße--code-emphasis-link\n");
}

static void test_md_explicit_anchors(void **state)
{
    struct links_doc *d = extract(state,
                                  "<a name=\"legacy\"></a>\n"
                                  "## Usage\n"
                                  "Some <span id=\"inline-id\">text</span>.\n"
                                  "<h3 id=\"html-heading\">Raw</h3>\n",
                                  LINKS_FORMAT_MD);
    assert_true(links_doc_has_anchor(d, "legacy", 6));
    assert_true(links_doc_has_anchor(d, "usage", 5));
    assert_true(links_doc_has_anchor(d, "inline-id", 9));
    assert_true(links_doc_has_anchor(d, "html-heading", 12));
    assert_false(links_doc_has_anchor(d, "Usage", 5)); /* ids are case-sensitive */
    assert_false(links_doc_has_anchor(d, "usag", 4));
    assert_false(links_doc_has_anchor(d, "usages", 6));
    assert_false(links_doc_has_anchor(d, "", 0));
    links_doc_free(d);
}

/* ---- HTML --------------------------------------------------------------- */

static void test_html_attributes(void **state)
{
    assert_links(state,
                 "<!DOCTYPE html>\n"
                 "<html><head>\n"
                 "<link rel=stylesheet href=style.css>\n"
                 "<meta http-equiv=\"Refresh\" content=\"5; URL='http://refresh.test/next'\">\n"
                 "<script src=\"/js/app.js\"></script>\n"
                 "</head><body>\n"
                 "<p>é <a href=\"http://good.test/ok\" title=\"a > b\">ok</a> <a\n"
                 "   href = '  http://multi.test/line  '>m</a>\n"
                 "<video poster=\"poster.jpg\" src=\"movie.mp4\"></video>\n"
                 "<A HREF=\"HTTP://UPPER.TEST/\">u</A> <a href=\"#top\">t</a>\n"
                 "<svg><a xlink:href=\"#svg\"><text>s</text></a></svg>\n"
                 "<a href=\"\">empty</a><a href>none</a>\n"
                 "<a href=\"mailto:x@y.test\">m</a><a href=\"javascript:void(0)\">j</a>\n"
                 "</body></html>\n",
                 LINKS_FORMAT_HTML,
                 "3:27 relative style.css\n"
                 "4:45 http http://refresh.test/next\n"
                 "5:14 relative /js/app.js\n"
                 "7:16 http http://good.test/ok\n"
                 "8:14 http http://multi.test/line\n"
                 "9:16 relative poster.jpg\n"
                 "9:33 relative movie.mp4\n"
                 "10:10 http HTTP://UPPER.TEST/\n"
                 "10:45 fragment #top\n"
                 "11:21 fragment #svg\n"
                 "13:10 skipped mailto:x@y.test\n"
                 "13:41 skipped javascript:void(0)\n");
}

static void test_html_blanks_in_urls(void **state)
{
    /* blanks around a URL go, tabs and line breaks inside it too */
    assert_links(state,
                 "<a href=\"\n  http://b.test/a\n/b\tc \">x</a> <a href=\" \t \">blank</a>\n",
                 LINKS_FORMAT_HTML, "2:3 http http://b.test/a/bc\n");
}

static void test_html_srcset(void **state)
{
    assert_links(
        state,
        "<img src=\"a.png\" srcset=\"img/a-1x.png 1x,  img/a-2x.png 2x,\n"
        "  http://cdn.test/a,b.png 3x, last.png\">\n"
        "<picture><source srcset=\"s.webp 100w, s2.webp 200w (max-width: 1px)\"></picture>\n"
        "<img srcset=\"x&amp;1.png 1x, y.png 2x\">\n",
        LINKS_FORMAT_HTML,
        "1:11 relative a.png\n"
        "1:26 relative img/a-1x.png\n"
        "1:44 relative img/a-2x.png\n"
        "2:3 http http://cdn.test/a,b.png\n"
        "2:31 relative last.png\n"
        "3:26 relative s.webp\n"
        "3:39 relative s2.webp\n"
        "4:14 relative x&1.png\n"
        "4:30 relative y.png\n");
}

static void test_html_base_and_entities(void **state)
{
    struct links_doc *d = extract(state,
                                  "<html><head>\n"
                                  "  <base href=\" https://base.test/docs/ \">\n"
                                  "  <base href=\"https://second.test/\">\n"
                                  "</head><body>\n"
                                  "<a href=\"guide.html?a=1&amp;b=2&#x26;c=&lt;3&gt;\">g</a>\n"
                                  "</body></html>\n",
                                  LINKS_FORMAT_HTML);
    assert_non_null(d->base);
    assert_string_equal(d->base, "https://base.test/docs/");
    assert_int_equal(d->base_line, 2);
    assert_int_equal(d->base_column, 16);
    assert_int_equal(d->nlinks, 1);
    assert_string_equal(d->links[0].url, "guide.html?a=1&b=2&c=<3>");
    assert_int_equal(d->links[0].line, 5);
    assert_int_equal(d->links[0].column, 10);
    links_doc_free(d);

    d = extract(state, "<a href=x>no base</a>", LINKS_FORMAT_HTML);
    assert_null(d->base);
    links_doc_free(d);
}

static void test_html_not_links(void **state)
{
    assert_links(state,
                 "<!-- <a href=\"http://comment.test/\"> -->\n"
                 "<script>var s = '<a href=\"http://script.test/\">';</script>\n"
                 "<style>a[href=\"http://style.test/\"] {}</style>\n"
                 "<p title=\"<a href='http://attr.test/'>\">text &lt;a href=x&gt;</p>\n"
                 "<a href=\"http://real.test/\">r</a>\n",
                 LINKS_FORMAT_HTML, "5:10 http http://real.test/\n");
}

static void test_html_anchors(void **state)
{
    assert_anchors(state,
                   "<h1 id=\"top\">T</h1><a name=\"named\">n</a><div name=\"not-an-anchor\">\n"
                   "<section id=\"s&amp;1\"></section><p id=top>dup</p><input name=q>\n",
                   LINKS_FORMAT_HTML, "named\ns&1\ntop\n");
}

/* libxml2 2.9 would switch to the <meta> charset (or Latin-1 at a bad byte)
 * at the first non-ASCII byte and convert the rest: every later offset
 * would move. */
static void test_html_encoding_does_not_move_positions(void **state)
{
    const char *docs[] = {
        "<meta charset=\"iso-8859-1\"><p>Título é ü</p>\n<a href=\"http://after.test/\">a</a>\n",
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
        "<p>Caf\xe9 (Latin-1 byte)</p>\n<a href=\"http://after.test/\">a</a>\n",
        "\xEF\xBB\xBF<p>BOM</p>\n<a href=\"http://after.test/\">a</a>\n",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct links_doc *d = extract(state, docs[i], LINKS_FORMAT_HTML);
        assert_int_equal(d->nlinks, 1);
        assert_string_equal(d->links[0].url, "http://after.test/");
        assert_int_equal(d->links[0].line, 2);
        assert_int_equal(d->links[0].column, 10);
        links_doc_free(d);
    }
    /* a NUL byte before a link */
    static const char nul[] = "<p>a\0b</p>\n<a href=\"http://after.test/\">a</a>\n";
    struct links_doc *d = links_extract(*state, nul, sizeof nul - 1, LINKS_FORMAT_HTML);
    assert_int_equal(d->nlinks, 1);
    assert_int_equal(d->links[0].column, 10);
    links_doc_free(d);
}

static void test_html_big_document_positions(void **state)
{
    /* Far more than libxml2's input chunks, so its buffer is shrunk and
     * refilled many times: every offset must still be the document's. */
    struct buf b = {0};
    buf_adds(&b, "<html><body>\n");
    for (int i = 0; i < 40000; i++)
        buf_addf(&b,
                 "<p class=\"c%d\">é %d <a id=\"a%d\" href=\"http://h%d.test/p?x=%d\">l</a>"
                 "<img alt=\"x > y\" src=\"i%d.png\"></p>\n",
                 i % 7, i, i, i % 100, i, i);
    buf_adds(&b, "</body></html>\n");
    struct links_doc *d = links_extract(*state, b.p, b.len, LINKS_FORMAT_HTML);
    assert_int_equal(d->nlinks, 80000);
    assert_int_equal(d->nanchors, 40000);
    check_positions(b.p, b.len, d);
    assert_int_equal(d->links[79999].line, 40001);
    links_doc_free(d);
    buf_free(&b);
}

/* ---- sitemaps ------------------------------------------------------------ */

static void test_sitemap_urlset(void **state)
{
    struct links_doc *d =
        extract(state,
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"\n"
                "        xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n"
                "  <url><loc>http://a.test/?x=1&amp;y=2</loc><lastmod>2026-01-01</lastmod>\n"
                "    <image:image><image:loc>http://a.test/i.png</image:loc></image:image></url>\n"
                "  <url>\n"
                "    <loc>\n"
                "      <![CDATA[http://b.test/é]]>\n"
                "    </loc>\n"
                "  </url><url><loc/></url><url><loc>  </loc></url>\n"
                "</urlset>\n",
                LINKS_FORMAT_SITEMAP);
    char *got = render(d);
    assert_string_equal(got, "4:13 http http://a.test/?x=1&y=2\n"
                             "5:29 http http://a.test/i.png\n"
                             "8:16 http http://b.test/é\n");
    assert_null(d->warning);
    free(got);
    links_doc_free(d);
}

static void test_sitemap_index(void **state)
{
    assert_links(state,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                 "<sitemap><loc>http://s.test/sitemap-1.xml</loc></sitemap>"
                 "<sitemap><loc>http://s.test/sitemap-2.xml</loc><lastmod>x</lastmod></sitemap>"
                 "</sitemapindex>\n",
                 LINKS_FORMAT_SITEMAP,
                 "2:81 http http://s.test/sitemap-1.xml +sitemap\n"
                 "2:138 http http://s.test/sitemap-2.xml +sitemap\n");
}

static void test_sitemap_broken(void **state)
{
    struct links_doc *d = extract(state,
                                  "<urlset><url><loc>http://a.test/1</loc></url>\n"
                                  "<url><loc>http://a.test/2</loc></url>\n"
                                  "<url><loc>http://a.test/&bogus;3</loc></url>\n"
                                  "<url><loc>http://a.test/4",
                                  LINKS_FORMAT_SITEMAP);
    assert_non_null(d->warning);
    assert_non_null(strstr(d->warning, "line 3"));
    assert_true(d->nlinks >= 2);
    assert_string_equal(d->links[0].url, "http://a.test/1");
    assert_string_equal(d->links[1].url, "http://a.test/2");
    assert_int_equal(d->links[1].line, 2);
    assert_int_equal(d->links[1].column, 11);
    links_doc_free(d);

    static const char utf16[] = "\xFF\xFE<\0u\0r\0l\0";
    d = links_extract(*state, utf16, sizeof utf16 - 1, LINKS_FORMAT_SITEMAP);
    assert_int_equal(d->nlinks, 0);
    assert_non_null(d->warning);
    assert_non_null(strstr(d->warning, "not UTF-8"));
    links_doc_free(d);

    /* found by fuzzing: libxml2 keeps the entities of an internal subset
     * in a document of its own even for SAX, which must be freed (a leak
     * under the sanitizers otherwise) */
    d = extract(state, "<!DOCTYPE x [<!ENTITY e \"y", LINKS_FORMAT_SITEMAP);
    assert_int_equal(d->nlinks, 0);
    links_doc_free(d);

    /* no entity expansion, no external entities */
    d = extract(state,
                "<?xml version=\"1.0\"?>\n"
                "<!DOCTYPE urlset [<!ENTITY e SYSTEM \"file:///etc/hostname\">"
                "<!ENTITY i \"http://inner.test/\">]>\n"
                "<urlset><url><loc>&e;</loc></url><url><loc>&i;x</loc></url></urlset>\n",
                LINKS_FORMAT_SITEMAP);
    for (size_t i = 0; i < d->nlinks; i++)
        assert_null(strstr(d->links[i].url, "inner.test"));
    links_doc_free(d);
}

/* ---- text ---------------------------------------------------------------- */

static void test_text_punctuation(void **state)
{
    assert_links(state,
                 "See http://t.test/a. Or (http://t.test/b_(c)) and \"http://t.test/q?x=1&y=2\",\n"
                 "é http://t.test/é» [http://t.test/br] <http://t.test/angle> {http://t.test/c}\n"
                 "http://t.test/x,y; https://t.test/end!? 'http://t.test/it's' *http://t.test/em*\n"
                 "“http://t.test/curly” `http://t.test/tick` |http://t.test/pipe|\n"
                 "HTTP://UP.test/ xhttp://no.test/ http:// https://. http://t.test/(a)\n",
                 LINKS_FORMAT_TEXT,
                 "1:5 http http://t.test/a\n"
                 "1:26 http http://t.test/b_(c)\n"
                 "1:52 http http://t.test/q?x=1&y=2\n"
                 "2:4 http http://t.test/é\n"
                 "2:24 http http://t.test/br\n"
                 "2:43 http http://t.test/angle\n"
                 "2:65 http http://t.test/c\n"
                 "3:1 http http://t.test/x,y\n"
                 "3:20 http https://t.test/end\n"
                 "3:42 http http://t.test/it's\n"
                 "3:63 http http://t.test/em\n"
                 "4:4 http http://t.test/curly\n"
                 "4:28 http http://t.test/tick\n"
                 "4:49 http http://t.test/pipe\n"
                 "5:1 http HTTP://UP.test/\n"
                 "5:52 http http://t.test/(a)\n");
}

static void test_text_any_bytes(void **state)
{
    static const char doc[] = "\xff\xfe bad bytes \x00 http://t.test/after-nul\r\n"
                              "\xc3 http://t.test/\xe9latin1 end\n";
    struct links_doc *d = links_extract(*state, doc, sizeof doc - 1, LINKS_FORMAT_TEXT);
    char *got = render(d);
    assert_string_equal(got, "1:16 http http://t.test/after-nul\n"
                             "2:3 http http://t.test/\xe9latin1\n");
    free(got);
    links_doc_free(d);
}

/* ---- robustness ---------------------------------------------------------- */

/* Found by fuzzing: a tag cut off by the end of the input must still give
 * positions inside the input. */
static void test_cut_off_tags(void **state)
{
    /* raw HTML at the very end of a Markdown file without a newline: the
     * newline md4c adds is no document byte */
    assert_links(state, "<div><g( href=n", LINKS_FORMAT_MD, "1:15 relative n\n");
    /* a start tag libxml2 reads up to the end without a '<name' to find */
    static const char html[] = "<v\xaa xlink:href=\xaa";
    struct links_doc *d = links_extract(*state, html, sizeof html - 1, LINKS_FORMAT_HTML);
    assert_int_equal(d->nlinks, 1);
    assert_int_equal(d->links[0].offset, sizeof html - 2);
    links_doc_free(d);
}

static void test_empty_documents(void **state)
{
    for (int f = LINKS_FORMAT_MD; f <= LINKS_FORMAT_TEXT; f++) {
        struct links_doc *d = links_extract(*state, "", 0, (enum links_format)f);
        assert_int_equal(d->nlinks, 0);
        assert_int_equal(d->nanchors, 0);
        links_doc_free(d);
    }
}

/* A deterministic stream of bytes drawn mostly from markup characters. */
static void random_doc(struct buf *b, size_t n, uint32_t seed)
{
    static const char alphabet[] = "<>[]()!#*`_&;:/\"'= \n\t-|~\\ahttp://x.test/";
    buf_clear(b);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t r = seed >> 16;
        char c = (r & 7) == 0 ? (char)(r >> 3) : alphabet[(r >> 3) % (sizeof alphabet - 1)];
        buf_addc(b, c);
    }
}

static void test_random_documents(void **state)
{
    struct buf b = {0};
    for (uint32_t seed = 1; seed <= 40; seed++) {
        random_doc(&b, 2000 + seed * 300, seed);
        for (int f = LINKS_FORMAT_MD; f <= LINKS_FORMAT_TEXT; f++) {
            struct links_doc *d = links_extract(*state, b.p, b.len, (enum links_format)f);
            for (size_t i = 0; i < d->nlinks; i++) {
                assert_true(d->links[i].offset < b.len);
                assert_true(d->links[i].len > 0);
                if (i > 0)
                    assert_true(d->links[i].offset > d->links[i - 1].offset);
            }
            links_doc_free(d);
        }
    }
    buf_free(&b);
}

static void test_pathological_documents(void **state)
{
    struct buf b = {0};
    /* deep nesting */
    for (int i = 0; i < 200000; i++)
        buf_adds(&b, "<div>");
    buf_adds(&b, "<a href=\"http://deep.test/\">x</a>");
    struct links_doc *d = links_extract(*state, b.p, b.len, LINKS_FORMAT_HTML);
    assert_int_equal(d->nlinks, 1);
    assert_int_equal(d->links[0].column, 200000 * 5 + 10);
    links_doc_free(d);

    /* unclosed brackets and emphasis, deep quotes and lists */
    buf_clear(&b);
    for (int i = 0; i < 50000; i++)
        buf_adds(&b, "[*_`<");
    buf_adds(&b, "\n\n");
    for (int i = 0; i < 5000; i++)
        buf_adds(&b, "> ");
    buf_adds(&b, "- [x](http://quote.test/)\n");
    d = links_extract(*state, b.p, b.len, LINKS_FORMAT_MD);
    links_doc_free(d);

    /* a megabyte of "]:" before the definition of a rebuilt destination:
     * finding the definition stays linear */
    buf_clear(&b);
    buf_adds(&b, "[x][r]\n\n");
    for (int i = 0; i < 500000; i++)
        buf_adds(&b, "]:");
    buf_adds(&b, "\n[r]: http://r.test/?a&amp;b\n");
    d = links_extract(*state, b.p, b.len, LINKS_FORMAT_MD);
    assert_int_equal(d->nlinks, 1);
    assert_int_equal(d->links[0].line, 4);
    assert_int_equal(d->links[0].column, 6);
    links_doc_free(d);

    /* 300,000 URLs in text, and as many uses of a rebuilt reference:
     * linear (PCRE2's own caseless search was quadratic) */
    buf_clear(&b);
    for (int i = 0; i < 300000; i++)
        buf_adds(&b, "http://a.test/((((( ");
    d = links_extract(*state, b.p, b.len, LINKS_FORMAT_TEXT);
    assert_int_equal(d->nlinks, 300000);
    assert_int_equal(d->links[299999].column, 299999 * 20 + 1);
    links_doc_free(d);
    buf_clear(&b);
    for (int i = 0; i < 200000; i++)
        buf_adds(&b, "[a][b] ");
    buf_adds(&b, "\n\n[b]: x&amp;y\n");
    d = links_extract(*state, b.p, b.len, LINKS_FORMAT_MD);
    assert_int_equal(d->nlinks, 1);
    assert_string_equal(d->links[0].url, "x&y");
    links_doc_free(d);

    /* a sitemap of 100,000 URLs, and one deeper than libxml2 allows */
    buf_clear(&b);
    buf_adds(&b, "<urlset>\n");
    for (int i = 0; i < 100000; i++)
        buf_addf(&b, "<url><loc>http://s.test/%d</loc></url>\n", i);
    buf_adds(&b, "</urlset>\n");
    d = links_extract(*state, b.p, b.len, LINKS_FORMAT_SITEMAP);
    assert_int_equal(d->nlinks, 100000);
    check_positions(b.p, b.len, d);
    links_doc_free(d);
    buf_clear(&b);
    for (int i = 0; i < 10000; i++)
        buf_adds(&b, "<x>");
    d = links_extract(*state, b.p, b.len, LINKS_FORMAT_SITEMAP);
    assert_non_null(d->warning);
    links_doc_free(d);
    buf_free(&b);
}

static void test_document_cap(void **state)
{
    /* One byte over the cap, as zero pages never written: read up to the
     * cap, with a warning. */
    size_t len = LINKS_MAX_DOC + 1;
    int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    assert_true(p != MAP_FAILED);
    struct links_doc *d = links_extract(*state, p, len, LINKS_FORMAT_TEXT);
    assert_int_equal(d->nlinks, 0);
    assert_non_null(d->warning);
    assert_non_null(strstr(d->warning, "256 MiB"));
    links_doc_free(d);
    munmap(p, len);
}

/* ---- the e2e fixture site ------------------------------------------------- */

static char *read_site_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", LINKS_SITE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.p;
}

/* tests/e2e/links-site/README.md lists these links; the e2e tests assert
 * them through the binary. */
static void test_fixture_site(void **state)
{
    static const struct {
        const char *file, *links, *anchors;
    } site[] = {
        {"index.md",
         "8:21 http http://good.test/ok\n"
         "9:25 http http://good.test/ok\n"
         "10:18 http http://good.test/status/404\n"
         "11:40 http http://good.test/redirect/2\n"
         "12:33 http http://good.test/retry-after/429/1/index\n"
         "13:45 http HTTP://GOOD.TEST:80/ok#top\n"
         "20:20 relative docs/guide.md\n"
         "21:31 relative docs/guide.md#installation\n"
         "22:31 relative docs/guide.md#no-such-heading\n"
         "24:29 relative docs/missing.md\n"
         "25:15 fragment #welcome\n"
         "25:33 fragment #relative-links\n"
         "25:61 fragment #not-here\n"
         "26:21 relative img/logo.svg\n"
         "38:7 skipped mailto:someone@example.test\n"
         "40:8 http http://good.test/status/500\n",
         "absolute-links\nnot-links\nrelative-links\nwelcome\n"},
        {"docs/guide.md",
         "5:23 relative ../index.md#welcome\n"
         "5:62 relative ../page.html#section-2\n"
         "6:26 relative ../page.html#nowhere\n"
         "10:13 http http://good.test/ok\n"
         "10:54 http http://good.test/status/404\n"
         "14:58 fragment #usage-1\n",
         "guide\ninstallation\nusage\nusage-1\n"},
        {"page.html",
         "6:32 relative style.css\n"
         "10:22 http http://good.test/ok\n"
         "11:15 http http://good.test/status/410\n"
         "12:15 relative docs/guide.md#usage-1\n"
         "13:15 fragment #section-2\n"
         "13:51 fragment #no-anchor\n"
         "15:13 relative img/logo.svg\n"
         "15:35 relative img/logo.svg\n"
         "15:52 relative img/logo-2x.svg\n"
         "17:15 skipped mailto:a@b.test\n"
         "17:50 skipped javascript:void(0)\n",
         "legacy\nsection-1\nsection-2\n"},
        {"based.html",
         "5:47 http http://good.test/delay/10\n"
         "8:30 relative ok\n"
         "9:15 relative status/500\n"
         "10:15 relative redirect-to?url=/bytes/32&status=301\n"
         "11:23 relative bytes/16\n"
         "12:23 relative status/404\n"
         "13:12 fragment #frag-only\n",
         "frag-only\n"},
        {"sitemap.xml",
         "3:13 http http://good.test/ok\n"
         "4:13 http http://good.test/redirect-to?url=/bytes/32&status=301\n"
         "7:7 http http://good.test/status/410\n"
         "10:13 http http://good.test/retry-after/429/1/sitemap\n"
         "11:13 http http://good.test/bytes/64?a=1&b=2\n",
         ""},
        {"notes.txt",
         "1:34 http http://good.test/ok\n"
         "1:59 http http://good.test/status/404\n"
         "2:6 http http://good.test/redirect/2\n"
         "2:50 http http://good.test/bytes/64?a=1&b=2\n",
         ""},
    };
    for (size_t i = 0; i < sizeof site / sizeof site[0]; i++) {
        size_t len;
        char *text = read_site_file(site[i].file, &len);
        struct links_doc *d = links_extract(*state, text, len, links_format_guess(site[i].file));
        char *got = render(d), *anchors = render_anchors(d);
        if (strcmp(got, site[i].links) != 0)
            fail_msg("%s: links\n%s", site[i].file, got);
        if (strcmp(anchors, site[i].anchors) != 0)
            fail_msg("%s: anchors\n%s", site[i].file, anchors);
        if (strcmp(site[i].file, "based.html") == 0) {
            assert_string_equal(d->base, "http://good.test/");
            assert_int_equal(d->base_line, 4);
            assert_int_equal(d->base_column, 15);
        } else {
            assert_null(d->base);
        }
        free(got);
        free(anchors);
        links_doc_free(d);
        free(text);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_format_names),
    cmocka_unit_test(test_format_guess),
    cmocka_unit_test(test_classify),
    cmocka_unit_test(test_md_inline),
    cmocka_unit_test(test_md_reference),
    cmocka_unit_test(test_md_rebuilt_destinations),
    cmocka_unit_test(test_md_badge_with_data_url),
    cmocka_unit_test(test_md_many_rebuilt_references),
    cmocka_unit_test(test_md_autolinks),
    cmocka_unit_test(test_md_code_is_not_links),
    cmocka_unit_test(test_md_tables_lists_quotes),
    cmocka_unit_test(test_md_images),
    cmocka_unit_test(test_md_raw_html),
    cmocka_unit_test(test_md_crlf),
    cmocka_unit_test(test_md_heading_ids),
    cmocka_unit_test(test_md_explicit_anchors),
    cmocka_unit_test(test_html_attributes),
    cmocka_unit_test(test_html_blanks_in_urls),
    cmocka_unit_test(test_html_srcset),
    cmocka_unit_test(test_html_base_and_entities),
    cmocka_unit_test(test_html_not_links),
    cmocka_unit_test(test_html_anchors),
    cmocka_unit_test(test_html_encoding_does_not_move_positions),
    cmocka_unit_test(test_html_big_document_positions),
    cmocka_unit_test(test_sitemap_urlset),
    cmocka_unit_test(test_sitemap_index),
    cmocka_unit_test(test_sitemap_broken),
    cmocka_unit_test(test_text_punctuation),
    cmocka_unit_test(test_text_any_bytes),
    cmocka_unit_test(test_cut_off_tags),
    cmocka_unit_test(test_empty_documents),
    cmocka_unit_test(test_random_documents),
    cmocka_unit_test(test_pathological_documents),
    cmocka_unit_test(test_document_cap),
    cmocka_unit_test(test_fixture_site),
};

int main(void)
{
    return cmocka_run_group_tests_name("links", tests, lx_setup, lx_teardown);
}
