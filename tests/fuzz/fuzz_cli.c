/* fuzz_cli: libFuzzer target for the option parser: argv built from the
 * input split on NUL bytes (argv[0] "volley" added), parsed by cli_parse
 * and freed by cli_free; never prepare_config, whose side effects (files,
 * directories, rlimits) are not the parser's. Whatever the arguments: a
 * result of the three, a message exactly when it is CLI_ERROR, the same
 * result and message a second time (no state), a parsed config within its
 * ranges, and the value of a secret option (-u, --proxy-user,
 * --oauth2-bearer, --cert) never quoted in a message: another value of
 * the same shape gives the very same message (an argument that is another
 * option's value, as "--user=x" is -m's in "-m --user=x", is that
 * option's, and quoted as it is). */
#include "cli.h"
#include "cli_table.h"
#include "fuzz.h"

#define MAX_ARGS 64

static FILE *devnull;

static bool secret_opt(const char *a, const char **value, bool *next)
{
    static const char *const longs[] = {"--user", "--proxy-user", "--oauth2-bearer", "--cert"};
    *value = NULL;
    *next = false;
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        size_t n = strlen(longs[i]);
        if (!strncmp(a, longs[i], n) && (a[n] == '\0' || a[n] == '=')) {
            if (a[n] == '=')
                *value = a + n + 1;
            else
                *next = true;
            return true;
        }
    }
    if (a[0] == '-' && (a[1] == 'u' || a[1] == 'E')) {
        if (a[2])
            *value = a + 2;
        else
            *next = true;
        return true;
    }
    return false;
}

/* Which arguments are an option's value, as cli_parse reads them (ISVAL[i]):
 * the one after a long option that takes a value and has no "=VALUE", or
 * after a short cluster whose value-taking letter ends it; none after "--".
 * "-m --user=x" is -m's value "--user=x", not the option --user. */
static void value_args(int argc, char **argv, bool *isval)
{
    for (int i = 0; i < argc; i++)
        isval[i] = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (isval[i] || a[0] != '-' || !a[1])
            continue;
        if (!strcmp(a, "--"))
            return;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            const struct cli_opt *o =
                cli_table_long(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
            if (o && o->arg && !eq && i + 1 < argc)
                isval[i + 1] = true;
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            const struct cli_opt *o = cli_table_short(*c);
            if (!o)
                break;
            if (o->arg) {
                if (!c[1] && i + 1 < argc)
                    isval[i + 1] = true;
                break;
            }
        }
    }
}

static enum cli_result parse(int argc, char **argv, struct buf *err)
{
    struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    enum cli_result r = cli_parse(argc, argv, &cfg, devnull, err);
    FUZZ_CHECK(r == CLI_RUN || r == CLI_DONE || r == CLI_ERROR);
    FUZZ_CHECK((r == CLI_ERROR) == (err->len > 0));
    if (r == CLI_RUN) {
        FUZZ_CHECK(cfg.parallel >= 1);
        FUZZ_CHECK(cfg.retries >= 0 && cfg.max_failures >= 0);
        FUZZ_CHECK(cfg.max_fail_ratio < 0 || (cfg.max_fail_ratio >= 0 && cfg.max_fail_ratio <= 1));
        FUZZ_CHECK(cfg.shard_n == 0 || (cfg.shard_k >= 1 && cfg.shard_k <= cfg.shard_n));
        FUZZ_CHECK(cfg.proto_default &&
                   (!strcmp(cfg.proto_default, "http") || !strcmp(cfg.proto_default, "https")));
        FUZZ_CHECK(cfg.format != FORMAT_TEMPLATE || cfg.tmpl != NULL);
        for (size_t i = 0; i < cfg.nurls; i++)
            FUZZ_CHECK(cfg.urls[i] != NULL);
        for (size_t i = 0; i < cfg.nfiles; i++)
            FUZZ_CHECK(cfg.files[i] != NULL);
    }
    cli_free(&cfg);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    FUZZ_CHECK(devnull != NULL);
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = fuzz_dup("volley", 6);
    struct fuzz_in in = {data, size};
    while (in.n && argc <= MAX_ARGS)
        argv[argc++] = fuzz_str(&in, NULL);
    argv[argc] = NULL;
    /* libjq (before its worker) compiles --expect-jq in this process:
     * not the parser's business, and slow */
    for (int i = 1; i < argc; i++)
        if (strstr(argv[i], "jq"))
            goto out;

    struct buf err = {0}, again = {0};
    enum cli_result r = parse(argc, argv, &err);
    FUZZ_CHECK(parse(argc, argv, &again) == r);
    FUZZ_CHECK(err.len == again.len && fuzz_eq(err.p, again.p, err.len));
    if (r == CLI_ERROR) {
        /* a secret value changed letter for letter (digits, letters rotate
         * within their class) must give the very same message: it is not
         * quoted */
        bool isval[MAX_ARGS + 2];
        value_args(argc, argv, isval);
        for (int i = 1; i < argc; i++) {
            const char *v;
            bool next;
            if (isval[i] || !secret_opt(argv[i], &v, &next))
                continue;
            int at = next ? i + 1 : i;
            if (next && at >= argc)
                continue;
            char *orig = argv[at];
            size_t off = next ? 0 : (size_t)(v - argv[i]);
            if (orig[off] == '-')
                continue; /* an option, not a value */
            char *changed = fuzz_dup(orig, strlen(orig));
            for (char *c = changed + off; *c; c++)
                if (*c >= 'a' && *c <= 'z')
                    *c = (char)('a' + (*c - 'a' + 1) % 26);
                else if (*c >= 'A' && *c <= 'Z')
                    *c = (char)('A' + (*c - 'A' + 1) % 26);
                else if (*c >= '0' && *c <= '9')
                    *c = (char)('0' + (*c - '0' + 1) % 10);
            argv[at] = changed;
            struct buf other = {0};
            FUZZ_CHECK(parse(argc, argv, &other) == r);
            FUZZ_CHECK(other.len == err.len && fuzz_eq(other.p, err.p, err.len));
            argv[at] = orig;
            free(changed);
            buf_free(&other);
        }
    }
    buf_free(&err);
    buf_free(&again);
out:
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return 0;
}
