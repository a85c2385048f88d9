/* slug: heading text → GitHub-style id, with PCRE2 doing the Unicode work
 * (letter classes and lower-casing) and a strmap counting repeated ids. */
#include "slug.h"
#include "log.h"
#include "text.h"
#include "strmap.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Runs of kept characters (group 1, lower-cased) and runs of the others
 * (dropped). "Word" as in GitHub's /[^\p{Word}\- ]/: letters, marks,
 * decimal and letter numbers, connector punctuation. */
#define SLUG_KEEP "\\p{L}\\p{M}\\p{Nd}\\p{Nl}\\p{Pc}\\- "
static const char slug_pattern[] = "([" SLUG_KEEP "]+)|[^" SLUG_KEEP "]+";
static const char slug_replacement[] = "${1:+\\L$1:}";

struct slug {
    pcre2_code *re;
    pcre2_match_data *md;
    struct strmap *seen; /* id → how many times its base was repeated */
    struct buf clean;    /* the heading text as valid UTF-8 */
};

struct slug *slug_new(void)
{
    struct slug *s = log_calloc(1, sizeof *s);
    int err;
    PCRE2_SIZE erroff;
    s->re = pcre2_compile((PCRE2_SPTR)slug_pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
                          &err, &erroff, NULL);
    if (!s->re)
        log_die(LOG_EXIT_INTERNAL, "slug: pattern does not compile (error %d)", err);
    s->md = pcre2_match_data_create_from_pattern(s->re, NULL);
    if (!s->md)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    s->seen = strmap_new();
    return s;
}

void slug_free(struct slug *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_code_free(s->re);
    strmap_free(s->seen);
    buf_free(&s->clean);
    free(s);
}

void slug_reset(struct slug *s)
{
    strmap_clear(s->seen);
}

/* OUT = TEXT lower-cased with the dropped characters removed and spaces
 * turned into '-'. */
static void slug_base(struct slug *s, const char *text, size_t len, struct buf *out)
{
    buf_clear(&s->clean);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = text_utf8_decode((const unsigned char *)text + i, len - i, &cp);
        if (n == 0) {
            i++;
            continue;
        }
        buf_add(&s->clean, text + i, n);
        i += n;
    }
    buf_clear(out);
    /* Lower-casing may lengthen a character by a byte or two: retry with
     * the size PCRE2 asks for. */
    PCRE2_SIZE outlen = s->clean.len + 16;
    for (;;) {
        buf_reserve(out, outlen);
        PCRE2_SIZE cap = out->cap;
        int rc = pcre2_substitute(
            s->re, (PCRE2_SPTR)(s->clean.p ? s->clean.p : ""), s->clean.len, 0,
            PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_EXTENDED | PCRE2_SUBSTITUTE_UNSET_EMPTY |
                PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | PCRE2_NO_UTF_CHECK,
            s->md, NULL, (PCRE2_SPTR)slug_replacement, PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)out->p,
            &cap);
        if (rc >= 0) {
            out->len = cap;
            break;
        }
        if (rc != PCRE2_ERROR_NOMEMORY)
            log_die(LOG_EXIT_INTERNAL, "slug: substitution failed (error %d)", rc);
        outlen = cap;
    }
    out->p[out->len] = '\0';
    for (size_t i = 0; i < out->len; i++) {
        if (out->p[i] == ' ')
            out->p[i] = '-';
    }
}

const char *slug_next(struct slug *s, const char *text, size_t len, struct buf *out)
{
    slug_base(s, text, len, out);
    size_t baselen = out->len, count = 0;
    if (strmap_get(s->seen, out->p, baselen, &count)) {
        /* github-slugger: count up from the base's own counter until the
         * id is one not made yet ("a", "a-1" then "a" gives "a-2"). */
        do {
            count++;
            out->len = baselen;
            buf_addf(out, "-%zu", count);
        } while (strmap_get(s->seen, out->p, out->len, NULL));
        strmap_put(s->seen, out->p, baselen, count, NULL);
    }
    strmap_put(s->seen, out->p, out->len, 0, NULL);
    return buf_str(out);
}
