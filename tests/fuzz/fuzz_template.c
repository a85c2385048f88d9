/* fuzz_template: libFuzzer target for -w templates: output_template_parse
 * and rendering a record with it (output_render, FORMAT_TEMPLATE). Input:
 * the template, then NUL-separated strings for the record (url, effective
 * URL, method, content type, error message, id, body, a check's actual
 * value) and the response's header lines. A template parses or says why;
 * one without '%' and '\' renders as itself; and the record's values can
 * never add a C0 control character to the output (a hostile URL or header
 * cannot start a line of its own): the rendering has exactly the control
 * bytes the same template gives for an empty record, and what the values
 * add is valid UTF-8 when the template's text is. */
#include "fuzz.h"
#include "headers.h"
#include "output.h"

static size_t controls(const struct buf *b)
{
    size_t c = 0;
    for (size_t i = 0; i < b->len; i++)
        c += (unsigned char)b->p[i] < 0x20;
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    struct fuzz_in in = {data, size};
    size_t tlen;
    char *text = fuzz_str(&in, &tlen);
    char *s[8];
    for (size_t i = 0; i < 8; i++)
        s[i] = fuzz_str(&in, NULL);
    struct headers h;
    headers_init(&h);
    headers_feed(&h, "HTTP/1.1 200 OK\r\n", 17);
    while (in.n) {
        const uint8_t *nl = memchr(in.p, '\n', in.n);
        size_t len = nl ? (size_t)(nl - in.p) + 1 : in.n;
        char *line = fuzz_dup(in.p, len);
        headers_feed(&h, line, len);
        free(line);
        in.p += len;
        in.n -= len;
    }

    struct buf err = {0};
    struct output_template *t = output_template_parse(text, &err);
    FUZZ_CHECK((t == NULL) == (err.len > 0));
    if (t) {
        struct check_failure check = {"body", "x+", s[7]};
        char id[64];
        snprintf(id, sizeof id, "%zu", tlen);
        struct record hostile = {
            .seq = 1,
            .input = "list:1",
            .url = s[0],
            .url_effective = s[1],
            .method = s[2],
            .http_code = 200,
            .kind = KIND_CHECK,
            .error_code = 7,
            .error_message = s[4],
            .attempts = 1,
            .content_type = s[3],
            .http_version = "1.1",
            .remote_ip = "127.0.0.1",
            .redirect_url = s[1],
            .local_ip = "127.0.0.1",
            .scheme = "http",
            .response_headers = &h,
            .id_json = id,
            .checks = &check,
            .nchecks = 1,
            .body = s[6],
            .body_len = strlen(s[6]),
            .has_body = true,
            .filename_effective = s[5],
        };
        struct headers none;
        headers_init(&none);
        struct record empty = {
            .input = "", .url = "", .method = "", .error_code = -1, .response_headers = &none};
        struct output_options opt = {.format = FORMAT_TEMPLATE, .tmpl = t, .fd = -1};
        struct buf a = {0}, b = {0};
        output_render(&opt, &hostile, &a);
        output_render(&opt, &empty, &b);
        FUZZ_CHECK(controls(&a) == controls(&b));
        if (fuzz_utf8_valid(text, tlen))
            FUZZ_CHECK(fuzz_utf8_valid(a.p, a.len));
        if (!memchr(text, '%', tlen) && !memchr(text, '\\', tlen))
            FUZZ_CHECK(a.len == tlen && fuzz_eq(a.p, text, tlen));
        (void)output_template_headers(t);
        buf_free(&a);
        buf_free(&b);
        headers_free(&none);
        output_template_free(t);
    }
    buf_free(&err);
    headers_free(&h);
    free(text);
    for (size_t i = 0; i < 8; i++)
        free(s[i]);
    return 0;
}
