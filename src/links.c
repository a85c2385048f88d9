/* links: document → links and anchors. The format dispatch, the result
 * (sorted, one link per position, LINE:COLUMN computed from byte offsets)
 * and the rules every format shares: format names and the guess from a
 * file name, URL kinds, HTML character references. */
#include "links.h"
#include "links_int.h"
#include "log.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const links_format_names[] = {
    [LINKS_FORMAT_MD] = "md",
    [LINKS_FORMAT_HTML] = "html",
    [LINKS_FORMAT_SITEMAP] = "sitemap",
    [LINKS_FORMAT_TEXT] = "text",
};

static const char *const links_kind_names[] = {
    [LINKS_HTTP] = "http",         [LINKS_RELATIVE] = "relative", [LINKS_NETWORK] = "network",
    [LINKS_FRAGMENT] = "fragment", [LINKS_SKIPPED] = "skipped",   [LINKS_OTHER] = "other",
};

bool links_format_parse(const char *name, enum links_format *fmt)
{
    for (size_t i = 0; i < sizeof links_format_names / sizeof links_format_names[0]; i++) {
        if (strcmp(name, links_format_names[i]) == 0) {
            *fmt = (enum links_format)i;
            return true;
        }
    }
    return false;
}

const char *links_format_name(enum links_format fmt)
{
    return links_format_names[fmt];
}

const char *links_kind_name(enum links_kind kind)
{
    return links_kind_names[kind];
}

static bool links_ends_with(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

enum links_format links_format_guess(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t n = strlen(name);
    if (links_ends_with(name, n, ".md") || links_ends_with(name, n, ".markdown"))
        return LINKS_FORMAT_MD;
    if (links_ends_with(name, n, ".html") || links_ends_with(name, n, ".htm"))
        return LINKS_FORMAT_HTML;
    if (strncasecmp(name, "sitemap", 7) == 0 && links_ends_with(name + 7, n - 7, ".xml"))
        return LINKS_FORMAT_SITEMAP;
    return LINKS_FORMAT_TEXT;
}

enum links_kind links_classify(const char *url, size_t len)
{
    if (len > 0 && url[0] == '#')
        return LINKS_FRAGMENT;
    if (len >= 2 && url[0] == '/' && url[1] == '/')
        return LINKS_NETWORK;
    /* A scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"; tabs and
     * newlines inside it do not count (URL parsers drop them, so
     * "java\nscript:" is javascript:). */
    char scheme[16];
    size_t n = 0, i = 0;
    for (; i < len; i++) {
        char c = url[i];
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
        if (!(alpha || (n > 0 && other)))
            break;
        if (n < sizeof scheme - 1)
            scheme[n] = (char)(c | 0x20);
        n++;
    }
    if (n == 0 || i == len || url[i] != ':')
        return LINKS_RELATIVE;
    if (n >= sizeof scheme)
        return LINKS_OTHER;
    scheme[n] = '\0';
    if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)
        return LINKS_HTTP;
    if (strcmp(scheme, "mailto") == 0 || strcmp(scheme, "tel") == 0 ||
        strcmp(scheme, "javascript") == 0 || strcmp(scheme, "data") == 0)
        return LINKS_SKIPPED;
    return LINKS_OTHER;
}

static bool links_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

void links_add(struct links_build *b, const char *url, size_t len, size_t offset, bool sitemap)
{
    while (len > 0 && links_blank(url[0])) {
        url++;
        len--;
    }
    while (len > 0 && links_blank(url[len - 1]))
        len--;
    if (len == 0)
        return;
    struct links_doc *d = &b->doc;
    if (d->nlinks == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        d->links = log_realloc(d->links, b->cap * sizeof *d->links);
    }
    /* Tabs and line breaks inside a URL are dropped, as URL parsers do
     * ("href=\"a\n/b\"" is "a/b"). */
    char *copy = log_malloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (url[i] != '\t' && url[i] != '\n' && url[i] != '\r')
            copy[n++] = url[i];
    }
    copy[n] = '\0';
    len = n;
    d->links[d->nlinks++] = (struct links_link){
        .url = copy,
        .len = len,
        .kind = links_classify(copy, len),
        .sitemap = sitemap,
        .offset = offset,
    };
}

void links_add_anchor(struct links_build *b, const char *name, size_t len)
{
    if (len == 0)
        return;
    struct links_doc *d = &b->doc;
    if (d->nanchors == b->anchors_cap) {
        b->anchors_cap = b->anchors_cap ? b->anchors_cap * 2 : 16;
        d->anchors = log_realloc(d->anchors, b->anchors_cap * sizeof *d->anchors);
    }
    char *copy = log_malloc(len + 1);
    memcpy(copy, name, len);
    copy[len] = '\0';
    d->anchors[d->nanchors++] = copy;
}

void links_set_base(struct links_build *b, const char *url, size_t len, size_t offset)
{
    while (len > 0 && links_blank(url[0])) {
        url++;
        len--;
    }
    while (len > 0 && links_blank(url[len - 1]))
        len--;
    if (b->doc.base || len == 0)
        return;
    b->doc.base = log_strndup(url, len);
    b->base_offset = offset;
}

void links_warn(struct links_build *b, const char *fmt, ...)
{
    if (b->warning.len)
        return;
    va_list ap;
    va_start(ap, fmt);
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    buf_adds(&b->warning, msg);
}

size_t links_piece_map(const struct links_piece *pieces, size_t n, size_t off)
{
    if (n == 0)
        return off;
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (pieces[mid].buf <= off)
            lo = mid;
        else
            hi = mid;
    }
    const struct links_piece *p = &pieces[lo];
    if (p->doc != SIZE_MAX)
        return p->doc + (off - p->buf);
    /* Not document bytes (a newline md4c put in): where it stands, just
     * after the document piece before it (or before the one after it). */
    for (size_t i = lo; i-- > 0;) {
        if (pieces[i].doc != SIZE_MAX)
            return pieces[i].doc + pieces[i].len;
    }
    for (size_t i = lo + 1; i < n; i++) {
        if (pieces[i].doc != SIZE_MAX)
            return pieces[i].doc;
    }
    return 0;
}

static void links_utf8(uint32_t cp, struct buf *out)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_add(out, u, n);
}

size_t links_html_entity(const char *s, size_t len, struct buf *out)
{
    if (len < 3 || s[0] != '&')
        return 0;
    size_t i = 1;
    if (s[1] == '#') {
        bool hex = len > 2 && (s[2] == 'x' || s[2] == 'X');
        i = hex ? 3 : 2;
        uint32_t v = 0;
        size_t digits = 0;
        for (; i < len && digits <= 8; i++, digits++) {
            char c = s[i];
            int d = c >= '0' && c <= '9'          ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
            if (d < 0)
                break;
            v = v * (hex ? 16u : 10u) + (uint32_t)d;
        }
        if (digits == 0 || digits > 8 || i == len || s[i] != ';')
            return 0;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            v = 0xFFFD;
        links_utf8(v, out);
        return i + 1;
    }
    char name[40];
    for (; i < len && i - 1 < sizeof name - 1; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            break;
        name[i - 1] = c;
    }
    if (i == 1 || i == len || s[i] != ';')
        return 0;
    name[i - 1] = '\0';
    const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
    if (!e)
        return 0;
    links_utf8(e->value, out);
    return i + 1;
}

struct links_extractor *links_extractor_new(void)
{
    xmlInitParser();
    struct links_extractor *lx = log_calloc(1, sizeof *lx);
    lx->text_url = links_text_compile();
    lx->text_md = pcre2_match_data_create_from_pattern(lx->text_url, NULL);
    if (!lx->text_md)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    lx->slug = slug_new();
    return lx;
}

void links_extractor_free(struct links_extractor *lx)
{
    if (!lx)
        return;
    pcre2_match_data_free(lx->text_md);
    pcre2_code_free(lx->text_url);
    slug_free(lx->slug);
    free(lx);
}

/* Order by offset; equal offsets keep the order they were added in (the
 * index is parked in COLUMN until the positions are computed). */
static int links_cmp(const void *a, const void *b)
{
    const struct links_link *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->column < y->column ? -1 : x->column > y->column;
}

static int links_cmp_anchor(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* LINE:COLUMN of each offset in increasing order, in one pass over the
 * document; "\n", "\r\n" and a lone "\r" each end a line. */
struct links_cursor {
    const char *data;
    size_t len, pos, line_start;
    uint32_t line;
};

static void links_locate(struct links_cursor *c, size_t offset, uint32_t *line, uint32_t *column)
{
    if (offset > c->len)
        offset = c->len;
    for (; c->pos < offset; c->pos++) {
        char ch = c->data[c->pos];
        if (ch == '\n' || (ch == '\r' && (c->pos + 1 >= c->len || c->data[c->pos + 1] != '\n'))) {
            c->line++;
            c->line_start = c->pos + 1;
        }
    }
    *line = c->line;
    size_t col = offset - c->line_start + 1;
    *column = col > UINT32_MAX ? UINT32_MAX : (uint32_t)col;
}

static void links_finish(struct links_build *b, const char *data, size_t len)
{
    struct links_doc *d = &b->doc;
    /* Every position is inside the document, even where a parser recovered
     * from input that ended inside a tag. */
    for (size_t i = 0; i < d->nlinks; i++) {
        if (d->links[i].offset >= len)
            d->links[i].offset = len ? len - 1 : 0;
        d->links[i].column = (uint32_t)i;
    }
    if (b->base_offset >= len)
        b->base_offset = len ? len - 1 : 0;
    if (d->nlinks > 1)
        qsort(d->links, d->nlinks, sizeof *d->links, links_cmp);
    size_t n = 0;
    for (size_t i = 0; i < d->nlinks; i++) {
        if (n > 0 && d->links[i].offset == d->links[n - 1].offset) {
            free(d->links[i].url);
            continue;
        }
        d->links[n++] = d->links[i];
    }
    d->nlinks = n;
    struct links_cursor c = {.data = data, .len = len, .line = 1};
    bool base_done = !d->base;
    for (size_t i = 0; i < n; i++) {
        if (!base_done && b->base_offset <= d->links[i].offset) {
            links_locate(&c, b->base_offset, &d->base_line, &d->base_column);
            base_done = true;
        }
        links_locate(&c, d->links[i].offset, &d->links[i].line, &d->links[i].column);
    }
    if (!base_done)
        links_locate(&c, b->base_offset, &d->base_line, &d->base_column);

    if (d->nanchors > 1)
        qsort(d->anchors, d->nanchors, sizeof *d->anchors, links_cmp_anchor);
    n = 0;
    for (size_t i = 0; i < d->nanchors; i++) {
        if (n > 0 && strcmp(d->anchors[i], d->anchors[n - 1]) == 0) {
            free(d->anchors[i]);
            continue;
        }
        d->anchors[n++] = d->anchors[i];
    }
    d->nanchors = n;
    if (b->warning.len)
        d->warning = buf_str(&b->warning);
}

struct links_doc *links_extract(struct links_extractor *lx, const char *data, size_t len,
                                enum links_format fmt)
{
    struct links_build *b = log_calloc(1, sizeof *b);
    if (len > LINKS_MAX_DOC) {
        links_warn(b, "document longer than %zu MiB: read up to there",
                   LINKS_MAX_DOC / (1024 * 1024));
        len = LINKS_MAX_DOC;
    }
    switch (fmt) {
    case LINKS_FORMAT_MD:
        links_md_extract(lx, b, data, len);
        break;
    case LINKS_FORMAT_HTML:
        links_html_extract(b, data, len, NULL, 0, true);
        break;
    case LINKS_FORMAT_SITEMAP:
        links_sitemap_extract(b, data, len);
        break;
    case LINKS_FORMAT_TEXT:
        links_text_extract(lx, b, data, len);
        break;
    }
    links_finish(b, data, len);
    return &b->doc;
}

void links_doc_free(struct links_doc *doc)
{
    if (!doc)
        return;
    struct links_build *b = (struct links_build *)doc; /* doc is its first member */
    for (size_t i = 0; i < doc->nlinks; i++)
        free(doc->links[i].url);
    free(doc->links);
    for (size_t i = 0; i < doc->nanchors; i++)
        free(doc->anchors[i]);
    free(doc->anchors);
    free(doc->base);
    buf_free(&b->warning);
    free(b);
}

bool links_doc_has_anchor(const struct links_doc *doc, const char *name, size_t len)
{
    size_t lo = 0, hi = doc->nanchors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *a = doc->anchors[mid];
        size_t alen = strlen(a);
        int c = memcmp(a, name, alen < len ? alen : len);
        if (c == 0)
            c = alen < len ? -1 : alen > len;
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}
