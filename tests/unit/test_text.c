/* test_text: UTF-8 decoding, cutting at a character boundary, trimming,
 * and every escaper (JSON, the text format, XML, Markdown, TAP, YAML),
 * checked byte for byte on valid, invalid and control input. */
#include "unit.h"

#include "text.h"

#include <cjson/cJSON.h>

#define FFFD "\xEF\xBF\xBD"

/* ---- helpers ------------------------------------------------------------ */

static char *escaped(void (*f)(struct buf *, const char *, size_t), const char *s, size_t len)
{
    struct buf b = {0};
    f(&b, s, len);
    return (char *)(uintptr_t)buf_str(&b); /* the caller frees */
}

#define assert_esc(f, in, want)                                                                    \
    do {                                                                                           \
        char *got_ = escaped(f, in, sizeof(in) - 1);                                               \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

#define assert_json(in, want) assert_esc(text_json_string, in, want)
#define assert_text(in, want) assert_esc(text_string, in, want)

static char *json_str(const char *s, size_t len)
{
    return escaped(text_json_string, s, len);
}

static void xml_attr(struct buf *b, const char *s, size_t len)
{
    text_xml(b, s, len, true);
}

static void xml_text(struct buf *b, const char *s, size_t len)
{
    text_xml(b, s, len, false);
}

/* ---- text_utf8_decode --------------------------------------------------- */

static size_t decode(const char *s, size_t n, uint32_t *cp)
{
    *cp = 0xDEAD;
    return text_utf8_decode((const unsigned char *)s, n, cp);
}

static void test_decode(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(decode("\xC3\xA9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(decode("\xE2\x82\xAC", 3, &cp), 3);
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
    /* invalid: *cp untouched */
    assert_int_equal(decode("\xC0\xAF", 2, &cp), 0);         /* overlong */
    assert_int_equal(decode("\xE0\x80\xAF", 3, &cp), 0);     /* overlong */
    assert_int_equal(decode("\xED\xA0\x80", 3, &cp), 0);     /* surrogate */
    assert_int_equal(decode("\xF4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
    assert_int_equal(decode("\xE2\x82\xAC", 2, &cp), 0);     /* truncated by N */
    assert_int_equal(decode("\x80", 1, &cp), 0);             /* stray continuation */
    assert_int_equal(decode("\xC3"
                            "A",
                            2, &cp),
                     0);
    assert_int_equal(cp, 0xDEAD);
}

/* ---- text_cut and text_clip --------------------------------------------- */

static void test_cut(void **state)
{
    (void)state;
    assert_int_equal(text_cut("abcdef", 6, 3), 3);
    assert_int_equal(text_cut("abc", 3, 3), 3);
    assert_int_equal(text_cut("abc", 3, 0), 0);
    assert_int_equal(text_cut("", 0, 5), 0);
    /* characters, not bytes: never inside one */
    assert_int_equal(text_cut("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z", 10, 3), 9);
    assert_int_equal(text_cut("ab\xC3\xA9xyz", 7, 3), 4);
    /* an invalid byte is a character of its own (it is shown as U+FFFD) */
    assert_int_equal(text_cut("\x80\x80\x80\x80", 4, 2), 2);
    assert_int_equal(text_cut("\xE0\x80\x80z", 4, 3), 3); /* an overlong: three */
    assert_int_equal(text_cut("\xE2\x82", 2, 1), 1);      /* truncated: two */
}

static void test_clip(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_adds(&b, "keep:abcdef");
    assert_true(text_clip(&b, 5, 3, "..."));
    assert_string_equal(buf_str(&b), "keep:abc...");
    assert_false(text_clip(&b, 5, 6, "..."));
    assert_string_equal(buf_str(&b), "keep:abc...");
    buf_clear(&b);
    buf_adds(&b, "x\xF0\x9F\x98\x80y");
    assert_true(text_clip(&b, 0, 2, NULL));
    assert_int_equal(b.len, 5);
    assert_string_equal(buf_str(&b), "x\xF0\x9F\x98\x80");
    buf_clear(&b);
    assert_false(text_clip(&b, 0, 0, "..."));
    assert_false(text_clip(&b, 4, 0, "..."));
    buf_free(&b);
}

/* ---- blanks ------------------------------------------------------------- */

static void test_trim(void **state)
{
    (void)state;
    static const char in[] = " \t\r\n\f\va b\v\f\n\r\t ";
    const char *s = in;
    size_t n = sizeof in - 1;
    text_trim(&s, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "a b", 3);
    s = " \t ";
    n = 3;
    text_trim(&s, &n);
    assert_int_equal(n, 0);
    /* only LEN bytes are looked at: a NUL is not a blank */
    s = "x\0 ";
    n = 2;
    text_trim(&s, &n);
    assert_int_equal(n, 2);
    for (int c = 0; c < 256; c++)
        assert_int_equal(text_blank((char)c), c == ' ' || (c >= '\t' && c <= '\r'));
}

/* ---- text_json_string --------------------------------------------------- */

static void test_json_plain(void **state)
{
    (void)state;
    assert_json("", "\"\"");
    assert_json("https://a/?x=1&y=2", "\"https://a/?x=1&y=2\"");
}

static void test_json_quote_backslash(void **state)
{
    (void)state;
    assert_json("a\"b\\c", "\"a\\\"b\\\\c\"");
    assert_json("\"", "\"\\\"\"");
    assert_json("/", "\"/\""); /* '/' needs no escape */
}

static void test_json_short_escapes(void **state)
{
    (void)state;
    assert_json("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
}

static void test_json_control_chars(void **state)
{
    (void)state;
    assert_json("\x01", "\"\\u0001\"");
    assert_json("\x1f", "\"\\u001f\"");
    assert_json("\b\f", "\"\\u0008\\u000c\"");
    assert_json("x\x1by", "\"x\\u001by\"");
    /* an embedded NUL is data, not the end */
    assert_json("a\0b", "\"a\\u0000b\"");
}

static void test_json_del_kept(void **state)
{
    (void)state;
    /* DEL is not a JSON control character: it may stay as is */
    assert_json("a\x7f"
                "b",
                "\"a\x7f"
                "b\"");
}

static void test_json_valid_utf8_kept(void **state)
{
    (void)state;
    assert_json("caf\xC3\xA9", "\"caf\xC3\xA9\"");           /* 2 bytes */
    assert_json("\xE2\x82\xAC", "\"\xE2\x82\xAC\"");         /* 3 bytes */
    assert_json("\xF0\x9F\x98\x80", "\"\xF0\x9F\x98\x80\""); /* 4 bytes */
    assert_json("\xC2\x80", "\"\xC2\x80\"");                 /* lowest 2-byte */
    assert_json("\xEF\xBF\xBF", "\"\xEF\xBF\xBF\"");         /* U+FFFF */
    assert_json("\xF4\x8F\xBF\xBF", "\"\xF4\x8F\xBF\xBF\""); /* U+10FFFF */
    assert_json("\xED\x9F\xBF", "\"\xED\x9F\xBF\"");         /* U+D7FF */
}

static void test_json_invalid_bytes(void **state)
{
    (void)state;
    assert_json("\xFF", "\"" FFFD "\"");
    assert_json("\xFE", "\"" FFFD "\"");
    assert_json("a\x80z", "\"a" FFFD "z\"");      /* lone continuation */
    assert_json("\xC1\xBF", "\"" FFFD FFFD "\""); /* C0/C1 are never valid */
}

static void test_json_overlongs(void **state)
{
    (void)state;
    assert_json("\xC0\xAF", "\"" FFFD FFFD "\"");
    assert_json("\xE0\x80\xAF", "\"" FFFD FFFD FFFD "\"");
    assert_json("\xF0\x80\x80\xAF", "\"" FFFD FFFD FFFD FFFD "\"");
}

static void test_json_surrogates(void **state)
{
    (void)state;
    assert_json("\xED\xA0\x80", "\"" FFFD FFFD FFFD "\""); /* U+D800 */
    assert_json("\xED\xBF\xBF", "\"" FFFD FFFD FFFD "\""); /* U+DFFF */
}

static void test_json_truncated(void **state)
{
    (void)state;
    assert_json("\xE2\x82", "\"" FFFD FFFD "\""); /* cut at the end */
    assert_json("\xE2\x82"
                "A",
                "\"" FFFD FFFD "A\""); /* cut by ASCII */
    assert_json("\xF0\x9F\x98", "\"" FFFD FFFD FFFD "\"");
    assert_json("\xC3", "\"" FFFD "\"");
    assert_json("\xC3\xC3\xA9", "\"" FFFD "\xC3\xA9\""); /* the next lead is kept */
}

static void test_json_above_f4(void **state)
{
    (void)state;
    assert_json("\xF4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""); /* U+110000 */
    assert_json("\xF5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
    assert_json("\xF8\x88\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD FFFD "\"");
}

static void test_json_mixed_parses(void **state)
{
    (void)state;
    static const char in[] = "q\"\\\n\x01\xC3\xA9\xFF\xE2\x82";
    char *s = json_str(in, sizeof in - 1);
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    assert_true(cJSON_IsString(j));
    assert_string_equal(j->valuestring, "q\"\\\n\x01\xC3\xA9" FFFD FFFD FFFD);
    cJSON_Delete(j);
    free(s);
}

static void test_json_appends(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_adds(&b, "x=");
    text_json_string(&b, "y", 1);
    assert_string_equal(buf_str(&b), "x=\"y\"");
    assert_int_equal(b.len, 5);
    buf_free(&b);
}

/* ---- text_json_scalar --------------------------------------------------- */

static char *scalar(const char *json)
{
    struct buf b = {0};
    text_json_scalar(&b, json);
    return (char *)(uintptr_t)buf_str(&b);
}

#define assert_scalar(json, want)                                                                  \
    do {                                                                                           \
        char *got_ = scalar(json);                                                                 \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_json_scalar(void **state)
{
    (void)state;
    assert_scalar("\"login\"", "login");
    assert_scalar("\"\"", "");
    assert_scalar("12", "12");
    assert_scalar("-1.5e3", "-1.5e3");
    assert_scalar("true", "true");
    assert_scalar("null", "null");
    assert_scalar("\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d");
    assert_scalar("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t");
    assert_scalar("\"caf\xC3\xA9 \\u00e9\\u20AC\"", "caf\xC3\xA9 \xC3\xA9\xE2\x82\xAC");
    assert_scalar("\"\\ud83d\\ude00\"", "\xF0\x9F\x98\x80"); /* a surrogate pair */
    /* what does not decode stays as written */
    assert_scalar("\"\\u0000\"", "\\u0000");
    assert_scalar("\"\\ud83d x\"", "\\ud83d x");
    assert_scalar("\"\\ude00\"", "\\ude00");
    assert_scalar("\"\\u12\"", "\\u12");
    assert_scalar("\"\\q\"", "\\q");
    assert_scalar("\"a\\\"", "a\\");
    assert_scalar("\"", "\"");
    /* what text_json_string writes reads back */
    static const char in[] = "q\"\\\n\x01\xC3\xA9/";
    char *json = json_str(in, sizeof in - 1);
    char *back = scalar(json);
    assert_string_equal(back, in);
    free(back);
    free(json);
}

/* ---- text_string (the text format) ------------------------------------- */

static void test_text_string(void **state)
{
    (void)state;
    assert_text("https://a/b?c=\"d\"", "https://a/b?c=\"d\"");
    assert_text("a\tb", "a\\tb"); /* a tab in a URL is seen */
    assert_text("a\nb\rc", "a\\nb\\rc");
    assert_text("\x01\x1f\x1b[31m\x7f", "\\x01\\x1f\\x1b[31m\\x7f");
    assert_text("a\0b", "a\\x00b");
    /* a literal backslash is doubled: "\t" typed is not a tab shown */
    assert_text("\\", "\\\\");
    assert_text("a\\tb", "a\\\\tb");
    /* C1 controls and the invisible or non-characters as \uNNNN */
    assert_text("\xC2\x85\xC2\x9B", "\\u0085\\u009b");
    assert_text("\xE2\x80\xA8\xE2\x80\xA9", "\\u2028\\u2029");
    assert_text("\xEF\xBB\xBFx\xEF\xBF\xBE\xEF\xBF\xBF", "\\ufeffx\\ufffe\\uffff");
    /* printable UTF-8 as it is, a real U+FFFD too */
    assert_text("caf\xC3\xA9 \xF0\x9F\x98\x80 " FFFD, "caf\xC3\xA9 \xF0\x9F\x98\x80 " FFFD);
    assert_text("\xC2\xA0", "\xC2\xA0");
    /* invalid UTF-8 as U+FFFD, one per byte */
    assert_text("\xFF\xC0\xAF", FFFD FFFD FFFD);
    assert_text("\xED\xA0\x80", FFFD FFFD FFFD);
    assert_text("x\xE2\x82", "x" FFFD FFFD);
}

static void test_text_string_appends(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_adds(&b, "> ");
    text_string(&b, "a\tb", 3);
    text_string(&b, "", 0);
    assert_string_equal(buf_str(&b), "> a\\tb");
    buf_free(&b);
}

/* ---- XML, Markdown, TAP, YAML ------------------------------------------ */

static void test_xml_escape(void **state)
{
    (void)state;
    assert_esc(xml_attr, "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e'f");
    assert_esc(xml_text, "a&b<c>d\"e", "a&amp;b&lt;c&gt;d\"e");
    assert_esc(xml_attr, "t\tn\nr\r", "t&#9;n&#10;r&#13;");
    assert_esc(xml_text, "t\tn\nr\r", "t\tn\nr&#13;");
    assert_esc(xml_text, "]]>", "]]&gt;");
    /* forbidden in XML 1.0: dropped */
    assert_esc(xml_attr,
               "a\x01\x08\x0B\x0C\x1F"
               "b",
               "ab");
    assert_esc(xml_attr,
               "a\xEF\xBF\xBE\xEF\xBF\xBF"
               "b",
               "ab"); /* U+FFFE, U+FFFF */
    /* invalid UTF-8: U+FFFD; valid kept */
    assert_esc(xml_attr,
               "a\xFF"
               "b\xC3",
               "a" FFFD "b" FFFD);
    assert_esc(xml_attr, "\xED\xA0\x80", FFFD FFFD FFFD); /* a surrogate */
    assert_esc(xml_attr, "\xC0\xAF", FFFD FFFD);          /* overlong */
    assert_esc(xml_attr, "h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
               "h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    assert_esc(xml_attr, "\x7F\xC2\x85", "\x7F\xC2\x85"); /* allowed, if discouraged */
    assert_esc(xml_attr, "a\0b", "ab");
}

static void test_md_escape(void **state)
{
    (void)state;
    assert_esc(text_md, "a|b", "a\\|b");
    assert_esc(text_md, "line1\nline2\r\tx", "line1 line2  x");
    assert_esc(text_md, "*b* _i_ `c` [l](u) <b> ~s~ &amp; $x$ \\",
               "\\*b\\* \\_i\\_ \\`c\\` \\[l\\](u) \\<b\\> \\~s\\~ \\&amp; \\$x\\$ \\\\");
    assert_esc(text_md, "https://a.example/p?q=1#f", "https://a.example/p?q=1#f");
    assert_esc(text_md, "bad\xFF", "bad" FFFD);
    assert_esc(text_md, "\xC2\x85\xE2\x80\xA8", "  "); /* NEL, LINE SEPARATOR */
    assert_esc(text_md, "\xEF\xBB\xBF\xEF\xBF\xBE" FFFD, "\xEF\xBB\xBF\xEF\xBF\xBE" FFFD);
}

static void test_tap_escape(void **state)
{
    (void)state;
    assert_esc(text_tap, "https://a/#frag", "https://a/\\#frag");
    assert_esc(text_tap, "a\\b", "a\\\\b");
    assert_esc(text_tap, "a\nnot ok 2\r", "a not ok 2 ");
    assert_esc(text_tap, "x\xFE", "x" FFFD);
}

static void test_yaml_escape(void **state)
{
    (void)state;
    assert_esc(text_yaml, "plain", "\"plain\"");
    assert_esc(text_yaml, "", "\"\"");
    assert_esc(text_yaml, "q\"b\\", "\"q\\\"b\\\\\"");
    assert_esc(text_yaml, "t\tn\nr\r", "\"t\\tn\\nr\\r\"");
    assert_esc(text_yaml, "\x01\x1B\x7F", "\"\\x01\\x1B\\x7F\"");
    assert_esc(text_yaml, "\xC2\x85", "\"\\x85\"");
    assert_esc(text_yaml, "\xE2\x80\xA8", "\"\\u2028\"");
    assert_esc(text_yaml, "\xFF\xC3\xA9", "\"" FFFD "\xC3\xA9\"");
    assert_esc(text_yaml, "- a: b # c", "\"- a: b # c\"");
}

static void test_random_bytes_stay_utf8(void **state)
{
    (void)state;
    /* whatever the bytes, every writer's output is valid UTF-8 and the
     * text format's has no control character at all */
    void (*const fs[])(struct buf *, const char *, size_t) = {
        text_json_string, text_string, xml_attr, xml_text, text_md, text_tap, text_yaml};
    uint64_t x = 88172645463325252u;
    char in[64];
    struct buf b = {0};
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(round % 64);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            in[i] = x % 5 ? (char)(x >> 24) : "\xC2\x85\xE2\x80\xA8\\\t"[x % 8];
        }
        for (size_t f = 0; f < sizeof fs / sizeof fs[0]; f++) {
            buf_clear(&b);
            fs[f](&b, in, len);
            const unsigned char *u = (const unsigned char *)b.p;
            for (size_t i = 0; i < b.len;) {
                uint32_t cp;
                size_t n = text_utf8_decode(u + i, b.len - i, &cp);
                assert_int_not_equal(n, 0);
                if (fs[f] == text_string)
                    assert_false(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F));
                i += n;
            }
        }
    }
    buf_free(&b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_decode),
    cmocka_unit_test(test_cut),
    cmocka_unit_test(test_clip),
    cmocka_unit_test(test_trim),
    cmocka_unit_test(test_json_plain),
    cmocka_unit_test(test_json_quote_backslash),
    cmocka_unit_test(test_json_short_escapes),
    cmocka_unit_test(test_json_control_chars),
    cmocka_unit_test(test_json_del_kept),
    cmocka_unit_test(test_json_valid_utf8_kept),
    cmocka_unit_test(test_json_invalid_bytes),
    cmocka_unit_test(test_json_overlongs),
    cmocka_unit_test(test_json_surrogates),
    cmocka_unit_test(test_json_truncated),
    cmocka_unit_test(test_json_above_f4),
    cmocka_unit_test(test_json_mixed_parses),
    cmocka_unit_test(test_json_appends),
    cmocka_unit_test(test_json_scalar),
    cmocka_unit_test(test_text_string),
    cmocka_unit_test(test_text_string_appends),
    cmocka_unit_test(test_xml_escape),
    cmocka_unit_test(test_md_escape),
    cmocka_unit_test(test_tap_escape),
    cmocka_unit_test(test_yaml_escape),
    cmocka_unit_test(test_random_bytes_stay_utf8),
};

UNIT_MAIN("text", tests)
