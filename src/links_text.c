/* links_text: the http(s) URLs anywhere in plain text, found with PCRE2.
 * A URL runs up to a blank, a control character or one of < > " ` | \;
 * then, as people write them, trailing punctuation (. , : ; ! ? ' " * _ ~),
 * closing quotes and a ')' ']' or '}' without its opening one are not part
 * of it. */
#include "links_int.h"
#include "log.h"

#include <string.h>
#include <strings.h>

/* Byte mode (no UTF): bytes >= 0x80 are URL characters, so any encoding
 * passes through and invalid UTF-8 does not stop the search. */
static const char links_text_pattern[] = "(?i)\\bhttps?://[^\\s<>\"`|\\\\\\x00-\\x1f\\x7f]+";

pcre2_code *links_text_compile(void)
{
    int err;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)links_text_pattern, PCRE2_ZERO_TERMINATED, 0, &err,
                                   &erroff, NULL);
    if (!re)
        log_die(LOG_EXIT_INTERNAL, "links: text pattern does not compile (error %d)", err);
    return re;
}

/* Closing quotes and CJK punctuation people put right after a URL. */
static const char *const links_text_closers[] = {
    "\xE2\x80\x9D", /* ” */
    "\xE2\x80\x99", /* ’ */
    "\xE2\x80\x9C", /* “ */
    "\xE2\x80\x98", /* ‘ */
    "\xC2\xBB",     /* » */
    "\xC2\xAB",     /* « */
    "\xE3\x80\x82", /* 。 */
    "\xE3\x80\x81", /* 、 */
    "\xEF\xBC\x89", /* ） */
    "\xEF\xBC\x8C", /* ， */
};

/* The end of the URL that starts at S and was matched up to E. */
static size_t links_text_trim(const char *s, size_t e)
{
    size_t open[3] = {0}, close[3] = {0};
    static const char opens[] = "([{", closes[] = ")]}";
    for (size_t i = 0; i < e; i++) {
        const char *o = memchr(opens, s[i], 3), *c = memchr(closes, s[i], 3);
        if (o)
            open[o - opens]++;
        else if (c)
            close[c - closes]++;
    }
    while (e > 0) {
        char last = s[e - 1];
        if (strchr(".,:;!?'\"*_~", last)) {
            e--;
            continue;
        }
        const char *c = memchr(closes, last, 3);
        if (c && close[c - closes] > open[c - closes]) {
            close[c - closes]--;
            e--;
            continue;
        }
        bool cut = false;
        for (size_t i = 0; i < sizeof links_text_closers / sizeof links_text_closers[0]; i++) {
            size_t n = strlen(links_text_closers[i]);
            if (e >= n && memcmp(s + e - n, links_text_closers[i], n) == 0) {
                e -= n;
                cut = true;
                break;
            }
        }
        if (!cut)
            break;
    }
    return e;
}

void links_text_extract(struct links_extractor *lx, struct links_build *b, const char *data,
                        size_t len)
{
    /* Candidates are found here, not by PCRE2's own search: for a caseless
     * first character, PCRE2 10.42 looks for 'h' and for 'H' to the end of
     * the text at every match, which makes the work grow with the square
     * of the text. Each ':' after "http" or "https" is tried once, with
     * the pattern anchored at the scheme. */
    size_t next = 0; /* no match starts inside the previous URL */
    for (const char *p = data, *end = data + len; (p = memchr(p, ':', (size_t)(end - p))) != NULL;
         p++) {
        size_t colon = (size_t)(p - data), s;
        if (colon >= 5 && strncasecmp(p - 5, "https", 5) == 0)
            s = colon - 5;
        else if (colon >= 4 && strncasecmp(p - 4, "http", 4) == 0)
            s = colon - 4;
        else
            continue;
        if (s < next)
            continue;
        int rc =
            pcre2_match(lx->text_url, (PCRE2_SPTR)data, len, s, PCRE2_ANCHORED, lx->text_md, NULL);
        if (rc < 0)
            continue; /* not a URL here (or a match limit: none) */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(lx->text_md);
        size_t e = ov[1];
        size_t stop = s + links_text_trim(data + s, e - s);
        if (stop > colon + 3) /* something after "://" */
            links_add(b, data + s, stop - s, s, false);
        next = e;
        p = data + e - 1;
    }
}
