/* links_md: the links and anchors of Markdown, read with md4c in GitHub's
 * dialect (tables, strikethrough, bare-URL, www. and e-mail autolinks).
 * Code blocks and code spans yield nothing. Raw HTML (blocks and inline
 * tags) goes through links_html.c; headings get GitHub-style ids (slug.c).
 *
 * Positions: md4c hands out pointers into the document for text and for a
 * link destination written without '\' or '&' (for a reference link, into
 * its definition), so most offsets are exact pointer differences. For a
 * destination md4c had to rebuild, the offset is found in the source: an
 * autolink at its first text; an inline link after the "](" that follows
 * its text, where the raw text reads as the destination; a reference link
 * at the first "]:" definition whose raw text reads as it; failing all of
 * that, where the link's text starts. */
#include "links_int.h"
#include "log.h"
#include "strmap.h"

#include <md4c.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* How far past a link's text its "](" is looked for, and how many tries. */
#define LINKS_MD_DEST_WINDOW (4 * 1024)
#define LINKS_MD_DEST_TRIES 8
/* Bytes after the document md4c may read (a few 0.4.8 checks peek one
 * byte past the end; newlines are what it should see there). */
#define LINKS_MD_PAD 16

struct links_md_span {
    MD_SPANTYPE type;
    char *raw; /* md4c's destination text: escapes resolved, entities as written */
    size_t raw_len;
    struct buf url;    /* the destination decoded */
    size_t href_off;   /* in the document; SIZE_MAX when md4c rebuilt it */
    size_t enter;      /* the text cursor when the span began */
    size_t first_text; /* the span's first text in the document, or SIZE_MAX */
    struct buf content;
};

struct links_md {
    struct links_extractor *lx;
    struct links_build *b;
    const char *doc;
    size_t len;
    size_t cursor; /* end of the last text that lay in the document */
    struct links_md_span *spans;
    size_t nspans, spans_cap;
    int img_depth;
    bool in_heading;
    struct buf heading, slug;
    struct buf html; /* a run of raw HTML, with where its pieces were */
    struct links_piece *pieces;
    size_t npieces, pieces_cap;
    /* Reference definitions by their destination (escapes resolved, as
     * md4c hands it out) → its offset; made when first needed. */
    struct strmap *defs;
};

static size_t links_md_offset(const struct links_md *m, const char *p, size_t size)
{
    uintptr_t a = (uintptr_t)p, d = (uintptr_t)m->doc;
    if (p && a >= d && a - d <= m->len && size <= m->len - (a - d))
        return (size_t)(a - d);
    return SIZE_MAX;
}

static void links_md_flush_html(struct links_md *m)
{
    if (m->html.len == 0)
        return;
    links_html_extract(m->b, m->html.p, m->html.len, m->pieces, m->npieces, false);
    buf_clear(&m->html);
    m->npieces = 0;
}

static void links_md_add_html(struct links_md *m, const char *text, size_t size, size_t off)
{
    if (m->npieces == m->pieces_cap) {
        m->pieces_cap = m->pieces_cap ? m->pieces_cap * 2 : 16;
        m->pieces = log_realloc(m->pieces, m->pieces_cap * sizeof *m->pieces);
    }
    m->pieces[m->npieces++] = (struct links_piece){.buf = m->html.len, .doc = off, .len = size};
    buf_add(&m->html, text, size);
}

/* Append TEXT (SIZE bytes of type TYPE) to OUT as a reader sees it. */
static void links_md_decode(MD_TEXTTYPE type, const char *text, size_t size, struct buf *out)
{
    switch (type) {
    case MD_TEXT_ENTITY:
        if (links_html_entity(text, size, out) == 0)
            buf_add(out, text, size);
        break;
    case MD_TEXT_NULLCHAR:
        buf_adds(out, "\xEF\xBF\xBD");
        break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
        buf_addc(out, '\n');
        break;
    case MD_TEXT_HTML:
        break;
    default:
        buf_add(out, text, size);
        break;
    }
}

static bool links_md_punct(char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

/* True when RAW (the source from there on) reads as WANT: the same bytes,
 * a backslash escape standing for its punctuation character. */
static bool links_md_reads_as(const char *raw, size_t rawlen, const char *want, size_t n)
{
    size_t i = 0;
    for (size_t j = 0; j < n; j++) {
        if (i + 1 < rawlen && raw[i] == '\\' && links_md_punct(raw[i + 1]) && raw[i + 1] == want[j])
            i++;
        if (i >= rawlen || raw[i] != want[j])
            return false;
        i++;
    }
    return true;
}

/* The first "A" followed by "B" in S (N bytes), or NULL. */
static const char *links_md_find(const char *s, size_t n, char a, char b)
{
    for (const char *end = s + n; (s = memchr(s, a, (size_t)(end - s))) != NULL; s++) {
        if (s + 1 < end && s[1] == b)
            return s;
    }
    return NULL;
}

/* Skip the blanks (and at most one line break) before a destination, and
 * its '<'. */
static size_t links_md_skip_to_dest(const struct links_md *m, size_t p)
{
    bool newline = false;
    while (p < m->len) {
        char c = m->doc[p];
        if (c == ' ' || c == '\t') {
            p++;
        } else if ((c == '\n' || c == '\r') && !newline) {
            newline = true;
            p += (c == '\r' && p + 1 < m->len && m->doc[p + 1] == '\n') ? 2 : 1;
        } else {
            break;
        }
    }
    if (p < m->len && m->doc[p] == '<')
        p++;
    return p;
}

static size_t links_md_inline_dest(const struct links_md *m, const struct links_md_span *s)
{
    size_t p = m->cursor > s->enter ? m->cursor : s->enter;
    /* Most often the link's text ends right before its "]", maybe with
     * emphasis marks between: "](" then is an inline link, "][", "[]" or
     * nothing a reference one. */
    size_t k = p;
    while (k < m->len && k - p < 8 && strchr("*_~`", m->doc[k]) && m->doc[k] != '\0')
        k++;
    if (k + 1 < m->len && m->doc[k] == ']') {
        if (m->doc[k + 1] != '(')
            return SIZE_MAX;
        size_t q = links_md_skip_to_dest(m, k + 2);
        if (links_md_reads_as(m->doc + q, m->len - q, s->raw, s->raw_len))
            return q;
    }
    size_t stop = m->len - p > LINKS_MD_DEST_WINDOW ? p + LINKS_MD_DEST_WINDOW : m->len;
    for (int tries = 0; tries < LINKS_MD_DEST_TRIES && p < stop; tries++) {
        const char *hit = links_md_find(m->doc + p, stop - p, ']', '(');
        if (!hit)
            break;
        size_t q = links_md_skip_to_dest(m, (size_t)(hit - m->doc) + 2);
        if (links_md_reads_as(m->doc + q, m->len - q, s->raw, s->raw_len))
            return q;
        p = (size_t)(hit - m->doc) + 2;
    }
    return SIZE_MAX;
}

/* The destination text of the definition-like "]: DEST" whose DEST starts
 * at Q (past a '<' when ANGLE), with backslash escapes resolved, into OUT. */
static void links_md_def_dest(const struct links_md *m, size_t q, bool angle, struct buf *out)
{
    buf_clear(out);
    for (size_t i = q; i < m->len; i++) {
        char c = m->doc[i];
        if (angle ? (c == '>' || c == '\n' || c == '\r') : ((unsigned char)c <= ' '))
            break;
        if (c == '\\' && i + 1 < m->len && links_md_punct(m->doc[i + 1]))
            c = m->doc[++i];
        buf_addc(out, c);
    }
}

static size_t links_md_definition(struct links_md *m, const struct links_md_span *s)
{
    if (!m->defs) {
        /* A definition starts a line, after blanks and the marks of block
         * quotes and list items: "[label]: DEST". One candidate per line,
         * each read to the end of its line at most: linear in the size. */
        m->defs = strmap_new();
        struct buf dest = {0};
        for (size_t ls = 0; ls < m->len;) {
            const char *nl = memchr(m->doc + ls, '\n', m->len - ls);
            size_t le = nl ? (size_t)(nl - m->doc) : m->len, k = ls;
            while (k < le && strchr(" \t>*+-.)0123456789", m->doc[k]) && m->doc[k] != '\0')
                k++;
            const char *colon =
                k < le && m->doc[k] == '[' ? links_md_find(m->doc + k, le - k, ']', ':') : NULL;
            if (colon) {
                size_t q = links_md_skip_to_dest(m, (size_t)(colon - m->doc) + 2);
                links_md_def_dest(m, q, q > 0 && m->doc[q - 1] == '<', &dest);
                if (dest.len > 0 && !strmap_get(m->defs, dest.p, dest.len, NULL))
                    strmap_put(m->defs, dest.p, dest.len, q, NULL);
            }
            ls = le + 1;
        }
        buf_free(&dest);
    }
    size_t off;
    return strmap_get(m->defs, s->raw, s->raw_len, &off) ? off : SIZE_MAX;
}

static bool links_md_autolink(const struct links_md_span *s)
{
    const char *c = s->content.p ? s->content.p : "";
    size_t n = s->content.len;
    if (s->first_text == SIZE_MAX || n == 0)
        return false;
    if (n == s->raw_len && memcmp(c, s->raw, n) == 0)
        return true;
    return n + 7 == s->raw_len &&
           (memcmp(s->raw, "http://", 7) == 0 || memcmp(s->raw, "mailto:", 7) == 0) &&
           memcmp(s->raw + 7, c, n) == 0;
}

static void links_md_span_done(struct links_md *m, struct links_md_span *s)
{
    if (s->url.len > 0) {
        size_t off = s->href_off;
        if (off == SIZE_MAX && links_md_autolink(s))
            off = s->first_text;
        if (off == SIZE_MAX)
            off = links_md_inline_dest(m, s);
        if (off == SIZE_MAX)
            off = links_md_definition(m, s);
        if (off == SIZE_MAX)
            off = s->first_text != SIZE_MAX ? s->first_text : s->enter;
        links_add(m->b, s->url.p, s->url.len, off, false);
    }
    free(s->raw);
    buf_free(&s->url);
    buf_free(&s->content);
}

static int links_md_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    struct links_md *m = ud;
    links_md_flush_html(m);
    if (type == MD_SPAN_IMG)
        m->img_depth++;
    if (type != MD_SPAN_A && type != MD_SPAN_IMG)
        return 0;
    /* MD_SPAN_IMG_DETAIL starts like MD_SPAN_A_DETAIL: src is href. */
    const MD_ATTRIBUTE *href = &((const MD_SPAN_A_DETAIL *)detail)->href;
    if (m->nspans == m->spans_cap) {
        m->spans_cap = m->spans_cap ? m->spans_cap * 2 : 8;
        m->spans = log_realloc(m->spans, m->spans_cap * sizeof *m->spans);
    }
    struct links_md_span *s = &m->spans[m->nspans++];
    *s = (struct links_md_span){
        .type = type,
        .raw = log_malloc(href->size + 1),
        .raw_len = href->size,
        .href_off = links_md_offset(m, href->text, href->size),
        .enter = m->cursor,
        .first_text = SIZE_MAX,
    };
    if (href->size)
        memcpy(s->raw, href->text, href->size);
    s->raw[href->size] = '\0';
    for (size_t i = 0; href->size && href->substr_offsets[i] < href->size; i++) {
        size_t a = href->substr_offsets[i], z = href->substr_offsets[i + 1];
        links_md_decode(href->substr_types[i], href->text + a, z - a, &s->url);
    }
    return 0;
}

static int links_md_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    (void)detail;
    struct links_md *m = ud;
    links_md_flush_html(m);
    if (type == MD_SPAN_IMG && m->img_depth > 0)
        m->img_depth--;
    if ((type == MD_SPAN_A || type == MD_SPAN_IMG) && m->nspans > 0) {
        struct links_md_span *s = &m->spans[--m->nspans];
        /* An image inside a link: the link's "](" comes after the image's
         * destination (a long data: URL, say), so look for it from there. */
        if (type == MD_SPAN_IMG && m->nspans > 0 && s->href_off != SIZE_MAX &&
            s->href_off >= m->cursor)
            m->cursor = s->href_off + s->raw_len;
        links_md_span_done(m, s);
    }
    return 0;
}

static int links_md_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    (void)detail;
    struct links_md *m = ud;
    links_md_flush_html(m);
    if (type == MD_BLOCK_H) {
        m->in_heading = true;
        buf_clear(&m->heading);
    }
    return 0;
}

static int links_md_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    (void)detail;
    struct links_md *m = ud;
    links_md_flush_html(m);
    if (type == MD_BLOCK_H && m->in_heading) {
        m->in_heading = false;
        slug_next(m->lx->slug, m->heading.p ? m->heading.p : "", m->heading.len, &m->slug);
        links_add_anchor(m->b, m->slug.p, m->slug.len);
    }
    return 0;
}

static int links_md_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
    struct links_md *m = ud;
    size_t off = links_md_offset(m, text, size);
    if (type == MD_TEXT_HTML) {
        links_md_add_html(m, text, size, off);
    } else {
        links_md_flush_html(m);
        if (m->in_heading && m->img_depth == 0)
            links_md_decode(type, text, size, &m->heading);
    }
    if (off != SIZE_MAX && size > 0) {
        m->cursor = off + size;
        for (size_t i = 0; i < m->nspans && m->spans[m->nspans - 1 - i].first_text == SIZE_MAX; i++)
            m->spans[m->nspans - 1 - i].first_text = off;
    }
    if (m->nspans > 0)
        buf_add(&m->spans[m->nspans - 1].content, text, size);
    return 0;
}

void links_md_extract(struct links_extractor *lx, struct links_build *b, const char *data,
                      size_t len)
{
    char *copy = log_malloc(len + LINKS_MD_PAD);
    if (len)
        memcpy(copy, data, len);
    memset(copy + len, '\n', LINKS_MD_PAD);
    struct links_md m = {.lx = lx, .b = b, .doc = copy, .len = len};
    slug_reset(lx->slug);
    MD_PARSER parser = {
        .flags = MD_DIALECT_GITHUB,
        .enter_block = links_md_enter_block,
        .leave_block = links_md_leave_block,
        .enter_span = links_md_enter_span,
        .leave_span = links_md_leave_span,
        .text = links_md_text,
    };
    if (md_parse(copy, (MD_SIZE)len, &parser, &m) != 0)
        links_warn(b, "Markdown parser stopped early");
    links_md_flush_html(&m);
    while (m.nspans > 0) /* md4c stopped inside a link */
        links_md_span_done(&m, &m.spans[--m.nspans]);
    free(m.spans);
    buf_free(&m.heading);
    buf_free(&m.slug);
    buf_free(&m.html);
    free(m.pieces);
    strmap_free(m.defs);
    free(copy);
}
