/* fuzz_spec: libFuzzer target for request specs: spec_parse, then
 * task_from_line of the same line under a run with -H, -X-free defaults
 * and an --expect-status (the task_common is built once). A spec that
 * parses has a URL, "Name: value" or "Name;" headers and known expectation
 * names, and no control character in its method or headers but a tab in
 * a header's value (they would be bytes on the wire); a line task_from_line refuses is an input
 * record whose JSON Lines rendering is valid UTF-8 and valid JSON; a fetchable one is http(s); and
 * in every case the password libcurl would find in the spec's URL appears in no rendering of the
 * record. */
#include "cli.h"
#include "fuzz.h"
#include "output.h"
#include "prepare.h"
#include "spec.h"
#include "task.h"
#include "task_common.h"
#include "url.h"

#include <cjson/cJSON.h>
#include <strings.h>

static struct config cfg;
static struct task_common *tc;
static struct url_checker *probe;

static void setup(void)
{
    static char a0[] = "volley", a1[] = "-H", a2[] = "X-Run: 1", a3[] = "--expect-status",
                a4[] = "200-399";
    static char *argv[] = {a0, a1, a2, a3, a4, NULL};
    struct buf err = {0};
    FUZZ_CHECK(cli_parse(5, argv, &cfg, stderr, &err) == CLI_RUN);
    FUZZ_CHECK(prepare_config(&cfg, NULL, &err));
    buf_free(&err);
    tc = task_common_new(&cfg, NULL, NULL);
    probe = url_checker_new();
}

/* A control character (a tab only where TAB_OK does not allow it). */
static bool has_control(const char *s, bool tab_ok)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && !(tab_ok && *s == '\t')) || *s == 0x7F)
            return true;
    return false;
}

/* The password libcurl would send for URL (caller frees), or NULL. */
static char *password_of(const char *url)
{
    struct buf dst = {0};
    char *pw = NULL;
    if (!url_prepare(probe, url, strlen(url), cfg.proto_default, &dst) &&
        curl_url_get(url_checker_handle(probe), CURLUPART_PASSWORD, &pw, 0) != CURLUE_OK)
        pw = NULL;
    buf_free(&dst);
    if (pw && (strlen(pw) < 3 || strchr(pw, '*'))) { /* (a '*' could be the mask's own) */
        curl_free(pw);
        pw = NULL;
    }
    return pw;
}

static void check_spec(const struct spec *s)
{
    FUZZ_CHECK(s->url != NULL);
    if (s->method)
        FUZZ_CHECK(*s->method && !has_control(s->method, false));
    for (size_t i = 0; i < s->nheaders; i++) {
        FUZZ_CHECK(!has_control(s->headers[i], true));
        size_t n = spec_header_name_len(s->headers[i]);
        FUZZ_CHECK(n > 0 && (s->headers[i][n] == ':' || s->headers[i][n] == ';'));
    }
    static const char *const names[] = {"status", "header", "body", "body-contains",
                                        "jq",     "time",   "size", "sha256"};
    for (size_t i = 0; i < s->nexpect; i++) {
        bool known = false;
        for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
            known |= !strcmp(s->expect[2 * i], names[j]);
        FUZZ_CHECK(known);
    }
    if (s->id_json) {
        cJSON *id = cJSON_Parse(s->id_json);
        FUZZ_CHECK(id != NULL && !cJSON_IsObject(id) && !cJSON_IsArray(id));
        cJSON_Delete(id);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > URL_MAX_LINE)
        return 0;
    if (!tc)
        setup();
    char *line = fuzz_dup(data, size); /* exact size + NUL; NULs inside stay */
    struct buf err = {0};
    struct spec s;
    char *pw = NULL;
    bool parsed = spec_parse(line, size, &s, &err);
    FUZZ_CHECK(parsed == (err.len == 0));
    if (parsed) {
        check_spec(&s);
        pw = password_of(s.url);
        for (size_t i = 0; i < s.nexpect; i++)
            if (!strcmp(s.expect[2 * i], "jq"))
                goto out; /* libjq is not this target's (its worker compiles it) */
        spec_clear(&s);
    }
    if (size == 0 || line[0] != '{' || !strchr(line, '}'))
        goto out; /* task_from_line gets trimmed, non-blank lines; plain ones are fuzz_url's */

    struct task t;
    memset(&t, 0, sizeof t);
    task_init(&t);
    struct input_line l = {.text = line, .len = size, .source = "list", .lineno = 3};
    bool ok = task_from_line(&t, tc, &l, 9, 1000);
    FUZZ_CHECK(!ok || parsed); /* every fetchable spec line parses */
    if (ok) {
        const char *u = buf_str(&t.url);
        FUZZ_CHECK(!strncasecmp(u, "http://", 7) || !strncasecmp(u, "https://", 8));
        FUZZ_CHECK(t.method && *t.method && !has_control(t.method, false));
        for (const struct curl_slist *h = t.spec_headers; h; h = h->next)
            FUZZ_CHECK(!has_control(h->data, true));
        task_cancelled(&t, tc, "fuzz", false, 2000);
    } else {
        FUZZ_CHECK(t.rec.kind == KIND_INPUT && t.rec.error_message && *t.rec.error_message);
    }
    struct output_options jsonl = {.format = FORMAT_JSONL, .fd = -1};
    struct output_options text = {.format = FORMAT_TEXT, .fd = -1};
    struct buf out = {0};
    output_render(&jsonl, &t.rec, &out);
    FUZZ_CHECK(fuzz_utf8_valid(out.p, out.len));
    cJSON *j = cJSON_ParseWithLength(out.p, out.len);
    FUZZ_CHECK(cJSON_IsObject(j));
    cJSON_Delete(j);
    output_render(&text, &t.rec, &out);
    FUZZ_CHECK(fuzz_utf8_valid(out.p, out.len));
    /* (a password that is written elsewhere in the line too may show there) */
    if (pw && fuzz_count(line, size, pw, strlen(pw)) == 1) {
        /* the fields that show the URL (the rendering holds words such as
         * null and true that a password may be) */
        FUZZ_CHECK(!t.rec.url || !strstr(t.rec.url, pw));
        FUZZ_CHECK(!t.rec.url_effective || !strstr(t.rec.url_effective, pw));
    }
    buf_free(&out);
    task_free(&t);
out:
    if (parsed)
        spec_clear(&s);
    curl_free(pw);
    buf_free(&err);
    free(line);
    return 0;
}
