/* text: UTF-8 decoding, cutting and trimming, and the escapers. The text,
 * XML, Markdown, TAP and YAML escapers share one loop (text_escape) that
 * copies runs of harmless bytes at once and hands every other character to
 * the escaper's writer; JSON keeps a loop of its own, since its set of
 * characters to escape differs (C1 controls and U+2028 stay as they are). */
#include "text.h"

#include <string.h>

/* ---- UTF-8 -------------------------------------------------------------- */

size_t text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    uint32_t v = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* The length of the character at S (N > 0 bytes left) as the writers see
 * it: a valid sequence whole, an invalid byte alone. */
static size_t text_char_len(const unsigned char *s, size_t n)
{
    uint32_t cp;
    if (s[0] < 0x80)
        return 1;
    size_t len = text_utf8_decode(s, n, &cp);
    return len ? len : 1;
}

size_t text_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    for (size_t chars = 0; i < len; chars++) {
        if (chars == max)
            return i;
        i += text_char_len(u + i, len - i);
    }
    return len;
}

bool text_clip(struct buf *b, size_t from, size_t max, const char *more)
{
    if (b->len <= from)
        return false;
    size_t n = text_cut(b->p + from, b->len - from, max);
    if (from + n == b->len)
        return false;
    b->len = from + n;
    buf_adds(b, more ? more : "");
    return true;
}

/* ---- blanks ------------------------------------------------------------- */

bool text_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

void text_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n && text_blank(*p)) {
        p++;
        n--;
    }
    while (n && text_blank(p[n - 1]))
        n--;
    *s = p;
    *len = n;
}

/* ---- JSON --------------------------------------------------------------- */

void text_json_string(struct buf *dst, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    buf_reserve(dst, len + 2);
    buf_addc(dst, '"');
    size_t run = 0; /* start of the pending run of bytes copied as is */
    size_t i = 0;
    while (i < len) {
        unsigned c = u[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        uint32_t cp;
        size_t ulen = c >= 0x80 ? text_utf8_decode(u + i, len - i, &cp) : 1;
        if (c >= 0x80 && ulen > 0) {
            i += ulen;
            continue;
        }
        buf_add(dst, s + run, i - run);
        if (c >= 0x80) {
            buf_add(dst, TEXT_FFFD, 3);
        } else if (c == '"' || c == '\\') {
            buf_add(dst, (char[]){'\\', (char)c}, 2);
        } else if (c == '\n') {
            buf_add(dst, "\\n", 2);
        } else if (c == '\r') {
            buf_add(dst, "\\r", 2);
        } else if (c == '\t') {
            buf_add(dst, "\\t", 2);
        } else {
            buf_add(dst, (char[]){'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]}, 6);
        }
        i++;
        run = i;
    }
    buf_add(dst, s + run, len - run);
    buf_addc(dst, '"');
}

/* The value of the 4 hex digits at S, or -1. */
static long text_hex4(const char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Append code point CP as UTF-8. */
static void text_add_utf8(struct buf *dst, uint32_t cp)
{
    if (cp < 0x80)
        buf_addc(dst, (char)cp);
    else if (cp < 0x800)
        buf_add(dst, (char[]){(char)(0xC0 | cp >> 6), (char)(0x80 | (cp & 0x3F))}, 2);
    else if (cp < 0x10000)
        buf_add(dst,
                (char[]){(char)(0xE0 | cp >> 12), (char)(0x80 | ((cp >> 6) & 0x3F)),
                         (char)(0x80 | (cp & 0x3F))},
                3);
    else
        buf_add(dst,
                (char[]){(char)(0xF0 | cp >> 18), (char)(0x80 | ((cp >> 12) & 0x3F)),
                         (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F))},
                4);
}

void text_json_scalar(struct buf *dst, const char *json)
{
    size_t len = strlen(json);
    if (len < 2 || json[0] != '"' || json[len - 1] != '"') {
        buf_add(dst, json, len);
        return;
    }
    const char *p = json + 1, *end = json + len - 1;
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        if (!bs) {
            buf_add(dst, p, (size_t)(end - p));
            break;
        }
        buf_add(dst, p, (size_t)(bs - p));
        p = bs + 1;
        if (p == end) { /* a lone backslash before the closing quote */
            buf_addc(dst, '\\');
            break;
        }
        const char *simple = strchr("\"\\/bfnrt", *p);
        if (*p && simple) {
            buf_addc(dst, "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]);
            p++;
            continue;
        }
        long u = *p == 'u' && end - p >= 5 ? text_hex4(p + 1) : -1;
        size_t used = 5;
        if (u >= 0xD800 && u <= 0xDBFF) { /* a high surrogate: its pair follows */
            long lo = end - p >= 11 && p[5] == '\\' && p[6] == 'u' ? text_hex4(p + 7) : -1;
            u = lo >= 0xDC00 && lo <= 0xDFFF ? 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00) : -1;
            used = 11;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            u = -1;
        }
        if (u > 0) {
            text_add_utf8(dst, (uint32_t)u);
            p += used;
        } else { /* kept as written */
            buf_addc(dst, '\\');
        }
    }
}

/* ---- the shared loop ---------------------------------------------------- */

/* Bit C % 32 of the word for byte C. */
#define TEXT_BIT(c) ((uint32_t)1 << ((unsigned)(c)&31u))
#define TEXT_ALL 0xFFFFFFFFu

/* What an escaper keeps and how it writes the rest. KEEP has one bit per
 * ASCII byte (word c / 32) for the bytes copied unchanged. WRITE is given
 * every other ASCII character, every non-ASCII character text_special()
 * names, and U+FFFD for each invalid byte (N == 1); a valid U+FFFD is
 * copied, so WRITE sees U+FFFD only for an invalid byte. P holds the
 * character's N bytes. */
struct text_escaper {
    uint32_t keep[4];
    void (*write)(struct buf *dst, uint32_t cp, const char *p, size_t n);
};

/* Control characters beyond ASCII (C1, LINE and PARAGRAPH SEPARATOR). */
static bool text_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

/* The valid non-ASCII characters escapers see: the controls, U+FEFF (an
 * invisible byte-order mark) and the noncharacters U+FFFE, U+FFFF. */
static bool text_special(uint32_t cp)
{
    return text_control(cp) || cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF;
}

static void text_escape(struct buf *dst, const char *s, size_t len, const struct text_escaper *e)
{
    const unsigned char *u = (const unsigned char *)s;
    buf_reserve(dst, len + 2);
    size_t run = 0; /* start of the pending run of bytes copied as is */
    size_t i = 0;
    while (i < len) {
        unsigned c = u[i];
        uint32_t cp = c;
        size_t n = 1;
        if (c < 0x80) {
            if ((e->keep[c >> 5] >> (c & 31u)) & 1u) {
                i++;
                continue;
            }
        } else if ((n = text_utf8_decode(u + i, len - i, &cp)) > 0) {
            if (!text_special(cp)) {
                i += n;
                continue;
            }
        } else {
            cp = 0xFFFD;
            n = 1;
        }
        buf_add(dst, s + run, i - run);
        e->write(dst, cp, s + i, n);
        i += n;
        run = i;
    }
    buf_add(dst, s + run, len - run);
}

/* ---- the text format ---------------------------------------------------- */

static void text_string_char(struct buf *dst, uint32_t cp, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    (void)p;
    (void)n;
    if (cp == '\\')
        buf_add(dst, "\\\\", 2);
    else if (cp == '\t')
        buf_add(dst, "\\t", 2);
    else if (cp == '\n')
        buf_add(dst, "\\n", 2);
    else if (cp == '\r')
        buf_add(dst, "\\r", 2);
    else if (cp == 0xFFFD)
        buf_add(dst, TEXT_FFFD, 3);
    else if (cp < 0x80)
        buf_add(dst, (char[]){'\\', 'x', hex[cp >> 4], hex[cp & 15]}, 4);
    else
        buf_add(dst,
                (char[]){'\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15],
                         hex[cp & 15]},
                6);
}

void text_string(struct buf *dst, const char *s, size_t len)
{
    static const struct text_escaper e = {
        {0, TEXT_ALL, TEXT_ALL & ~TEXT_BIT('\\'), TEXT_ALL & ~TEXT_BIT(0x7F)}, text_string_char};
    text_escape(dst, s, len, &e);
}

/* ---- XML ---------------------------------------------------------------- */

/* Both forms: tab and LF are kept in character data (TEXT) and written as
 * references in an attribute value. */
static void text_xml_char(struct buf *dst, uint32_t cp, const char *p, size_t n, bool attr)
{
    switch (cp) {
    case '&':
        buf_adds(dst, "&amp;");
        break;
    case '<':
        buf_adds(dst, "&lt;");
        break;
    case '>':
        buf_adds(dst, "&gt;");
        break;
    case '"':
        buf_adds(dst, "&quot;");
        break;
    case '\t':
        buf_adds(dst, attr ? "&#9;" : "\t");
        break;
    case '\n':
        buf_adds(dst, attr ? "&#10;" : "\n");
        break;
    case '\r':
        buf_adds(dst, "&#13;"); /* else a parser reads it as \n */
        break;
    default:
        /* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
         * | [#x10000-#x10FFFF]; surrogates never decode. The rest (C0
         * controls, U+FFFE, U+FFFF) is dropped. */
        if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
            break;
        if (cp == 0xFFFD)
            buf_add(dst, TEXT_FFFD, 3);
        else
            buf_add(dst, p, n);
    }
}

static void text_xml_text_char(struct buf *dst, uint32_t cp, const char *p, size_t n)
{
    text_xml_char(dst, cp, p, n, false);
}

static void text_xml_attr_char(struct buf *dst, uint32_t cp, const char *p, size_t n)
{
    text_xml_char(dst, cp, p, n, true);
}

void text_xml(struct buf *dst, const char *s, size_t len, bool attr)
{
    static const uint32_t markup = TEXT_BIT('&') | TEXT_BIT('<') | TEXT_BIT('>');
    static const struct text_escaper text = {{0, TEXT_ALL & ~markup, TEXT_ALL, TEXT_ALL},
                                             text_xml_text_char};
    static const struct text_escaper value = {
        {0, TEXT_ALL & ~(markup | TEXT_BIT('"')), TEXT_ALL, TEXT_ALL}, text_xml_attr_char};
    text_escape(dst, s, len, attr ? &value : &text);
}

/* ---- Markdown and TAP --------------------------------------------------- */

/* A control character becomes a space, other ASCII a backslash escape, an
 * invalid byte U+FFFD, anything else its N bytes at P as they are. */
static void text_backslash_char(struct buf *dst, uint32_t cp, const char *p, size_t n)
{
    if (text_control(cp))
        buf_addc(dst, ' ');
    else if (cp < 0x80)
        buf_add(dst, (char[]){'\\', (char)cp}, 2);
    else if (cp == 0xFFFD)
        buf_add(dst, TEXT_FFFD, 3);
    else
        buf_add(dst, p, n);
}

void text_md(struct buf *dst, const char *s, size_t len)
{
    static const struct text_escaper e = {
        {0,
         TEXT_ALL &
             ~(TEXT_BIT('$') | TEXT_BIT('&') | TEXT_BIT('*') | TEXT_BIT('<') | TEXT_BIT('>')),
         TEXT_ALL & ~(TEXT_BIT('[') | TEXT_BIT('\\') | TEXT_BIT(']') | TEXT_BIT('_')),
         TEXT_ALL & ~(TEXT_BIT('`') | TEXT_BIT('|') | TEXT_BIT('~') | TEXT_BIT(0x7F))},
        text_backslash_char};
    text_escape(dst, s, len, &e);
}

void text_tap(struct buf *dst, const char *s, size_t len)
{
    static const struct text_escaper e = {
        {0, TEXT_ALL & ~TEXT_BIT('#'), TEXT_ALL & ~TEXT_BIT('\\'), TEXT_ALL & ~TEXT_BIT(0x7F)},
        text_backslash_char};
    text_escape(dst, s, len, &e);
}

/* ---- YAML --------------------------------------------------------------- */

static void text_yaml_char(struct buf *dst, uint32_t cp, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    (void)p;
    (void)n;
    if (cp == '"' || cp == '\\')
        buf_add(dst, (char[]){'\\', (char)cp}, 2);
    else if (cp == '\t')
        buf_adds(dst, "\\t");
    else if (cp == '\n')
        buf_adds(dst, "\\n");
    else if (cp == '\r')
        buf_adds(dst, "\\r");
    else if (cp <= 0xFF)
        buf_add(dst, (char[]){'\\', 'x', hex[cp >> 4], hex[cp & 15]}, 4);
    else if (cp == 0xFFFD)
        buf_add(dst, TEXT_FFFD, 3);
    else
        buf_addf(dst, "\\u%04X", (unsigned)cp); /* not printable in YAML */
}

void text_yaml(struct buf *dst, const char *s, size_t len)
{
    static const struct text_escaper e = {
        {0, TEXT_ALL & ~TEXT_BIT('"'), TEXT_ALL & ~TEXT_BIT('\\'), TEXT_ALL & ~TEXT_BIT(0x7F)},
        text_yaml_char};
    buf_addc(dst, '"');
    text_escape(dst, s, len, &e);
    buf_addc(dst, '"');
}
