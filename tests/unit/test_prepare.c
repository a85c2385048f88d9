/* test_prepare: prepare_config after cli_parse: URL arguments, FILE probes,
 * -d @FILE and its joining, -d @- against a list on stdin, the connection
 * option checks, --output-dir, --report files, the order of side effects and
 * the open-files limit. */
#include "unit.h"

#include "cli.h"
#include "form.h"
#include "prepare.h"
#include "report.h"

#include <sys/resource.h>
#include <sys/wait.h>

/* One parse and prepare of an argv copy. */
struct run {
    char *args[64];
    char *argv[64];
    int argc;
    struct config cfg;
    struct report *rep;
    struct buf err;
    bool ok;
};

static void run_prepare(struct run *r, const char *const *args)
{
    memset(r, 0, sizeof *r);
    r->args[r->argc++] = strdup("volley");
    for (; *args; args++) {
        assert_true(r->argc < 63);
        r->args[r->argc++] = strdup(*args);
    }
    memcpy(r->argv, r->args, sizeof r->argv);
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    if (cli_parse(r->argc, r->argv, &r->cfg, out, &r->err) != CLI_RUN)
        fail_msg("cli_parse: %s", buf_str(&r->err));
    fclose(out);
    r->rep = report_new();
    r->ok = prepare_config(&r->cfg, r->rep, &r->err);
    buf_str(&r->err);
}

static void run_free(struct run *r)
{
    report_free(r->rep);
    cli_free(&r->cfg);
    buf_free(&r->err);
    for (int i = 0; i < r->argc; i++)
        free(r->args[i]);
}

#define PREPARE(r, ...) run_prepare(r, (const char *const[]){__VA_ARGS__, NULL})
#define PREPARE_OK(r, ...)                                                                         \
    do {                                                                                           \
        PREPARE(r, __VA_ARGS__);                                                                   \
        if (!(r)->ok)                                                                              \
            fail_msg("prepare_config: %s", (r)->err.p);                                            \
    } while (0)

static void check_refused(const char *want, const char *const *args)
{
    struct run r;
    run_prepare(&r, args);
    if (r.ok)
        fail_msg("prepared, want an error mentioning '%s'", want);
    if (!strstr(r.err.p, want))
        fail_msg("error '%s' does not mention '%s'", r.err.p, want);
    run_free(&r);
}

#define REFUSED(want, ...) check_refused(want, (const char *const[]){__VA_ARGS__, NULL})

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- URL arguments and FILEs -------------------------------------------- */

static void test_url_args(void **state)
{
    (void)state;
    const char *list = unit_text_file("list.txt", "https://l/\n");
    struct run r;
    PREPARE_OK(&r, "--url", "u1", "https://a/", list, "--url", "u2", "HTTP://B/", "--url", "u3");
    static const char *const want[] = {"u1", "https://a/", "u2", "HTTP://B/", "u3"};
    assert_int_equal(r.cfg.nurls, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(r.cfg.urls[i], want[i]);
    assert_int_equal(r.cfg.nfiles, 1);
    assert_string_equal(r.cfg.files[0], list);
    run_free(&r);
    /* only http:// and https:// are URLs; anything else stays a FILE */
    REFUSED("cannot read ftp://x/", "ftp://x/");
    REFUSED("cannot read example.com", "example.com");
    REFUSED("cannot read https:/a", "https:/a");
}

static void test_files(void **state)
{
    (void)state;
    const char *a = unit_text_file("ok.txt", "x\n");
    struct run r;
    PREPARE_OK(&r, a, "-", a);
    assert_int_equal(r.cfg.nfiles, 3);
    run_free(&r);
    REFUSED("/nonexistent/list.txt", "/nonexistent/list.txt");
    REFUSED("/nonexistent/list.txt", a, "/nonexistent/list.txt");
    REFUSED("Is a directory", unit_tmpdir());
    REFUSED("cannot read -q", "--", "-q");
    if (geteuid() != 0) {
        const char *locked = unit_text_file("locked.txt", "x\n");
        chmod(locked, 0);
        REFUSED("locked.txt", locked);
    }
}

/* ---- data --------------------------------------------------------------- */

static void assert_data(const struct config *c, const char *want, size_t len)
{
    assert_non_null(c->data);
    assert_int_equal(c->data_len, len);
    assert_memory_equal(c->data, want, len);
    assert_int_equal(c->data[len], '\0');
}

static void test_data_joined(void **state)
{
    (void)state;
    struct run r;
    PREPARE_OK(&r, "-d", "a=1", "--url", "u");
    assert_data(&r.cfg, "a=1", 3);
    assert_null(r.cfg.method); /* POST comes from the data, not -X */
    run_free(&r);
    PREPARE_OK(&r, "-d", "a=1", "--data", "b=2", "-d", "c", "--url", "u");
    assert_data(&r.cfg, "a=1&b=2&c", 9);
    run_free(&r);
    /* as in curl, --data-binary pieces are joined with '&' too */
    PREPARE_OK(&r, "--data-binary", "a", "-d", "b", "--data-binary", "c", "--url", "u");
    assert_data(&r.cfg, "a&b&c", 5);
    run_free(&r);
    PREPARE_OK(&r, "-d", "", "--url", "u");
    assert_data(&r.cfg, "", 0);
    run_free(&r);
    PREPARE_OK(&r, "--url", "u");
    assert_null(r.cfg.data);
    run_free(&r);
}

static void test_data_file(void **state)
{
    (void)state;
    static const char body[] = "x=1\r\ny=2\n\nz\0w\r\n";
    const char *path = unit_file("data.txt", body, sizeof body - 1);
    char at[512];
    snprintf(at, sizeof at, "@%s", path);
    struct run r;
    /* -d @file drops CR and LF */
    PREPARE_OK(&r, "-d", at, "--url", "u");
    assert_data(&r.cfg, "x=1y=2z\0w", 9);
    run_free(&r);
    /* --data-binary @file keeps every byte */
    PREPARE_OK(&r, "--data-binary", at, "--url", "u");
    assert_data(&r.cfg, body, sizeof body - 1);
    run_free(&r);
    PREPARE_OK(&r, "-d", "a", "-d", at, "--url", "u");
    assert_data(&r.cfg, "a&x=1y=2z\0w", 11);
    run_free(&r);
    const char *empty = unit_text_file("empty.txt", "");
    snprintf(at, sizeof at, "@%s", empty);
    PREPARE_OK(&r, "--data-binary", at, "--url", "u");
    assert_data(&r.cfg, "", 0);
    run_free(&r);
    REFUSED("no-such-file", "-d", "@/nonexistent/no-such-file", "--url", "u");
    REFUSED("no-such-file", "--data-binary", "@/nonexistent/no-such-file", "--url", "u");
}

/* -d @- and the URL list cannot both be standard input. */
static void test_data_stdin(void **state)
{
    (void)state;
    const char *list = unit_text_file("stdin-list.txt", "u\n");
    REFUSED("-d @- reads standard input, but the URL list is read from there too", "-d", "@-");
    REFUSED("--data-binary @- reads standard input", "--data-binary", "@-", list, "-");
    REFUSED("-d @- reads standard input", "-d", "a", "-d", "@-", "-");
    /* a list elsewhere is fine; this reads stdin (ctest gives /dev/null or a pipe) */
    int saved = dup(STDIN_FILENO);
    int null = open("/dev/null", O_RDONLY);
    assert_true(saved >= 0 && null >= 0);
    dup2(null, STDIN_FILENO);
    struct run r;
    PREPARE_OK(&r, "-d", "@-", list);
    assert_data(&r.cfg, "", 0);
    run_free(&r);
    PREPARE_OK(&r, "-d", "@-", "https://a/");
    assert_data(&r.cfg, "", 0);
    run_free(&r);
    dup2(saved, STDIN_FILENO);
    close(saved);
    close(null);
}

/* --data-urlencode's five forms, --data-raw, --url-query (and its "+"). */
static void test_data_kinds(void **state)
{
    (void)state;
    const char *f = unit_text_file("enc.txt", "a b\n&");
    char at[512], nat[512];
    snprintf(at, sizeof at, "@%s", f);
    snprintf(nat, sizeof nat, "n@%s", f);
    struct run r;
    PREPARE_OK(&r, "--data-urlencode", "x y", "--data-urlencode", "=c&d", "--data-urlencode",
               "n=e f", "--data-urlencode", at, "--data-urlencode", nat, "--data-urlencode",
               "a@b=c", "--data-raw", "@raw", "--url", "u");
    static const char want[] = "x%20y&c%26d&n=e%20f&a%20b%0A%26&n=a%20b%0A%26&a@b=c&@raw";
    assert_data(&r.cfg, want, sizeof want - 1);
    assert_null(r.cfg.query);
    run_free(&r);
    PREPARE_OK(&r, "--url-query", "q=a b", "--url-query", "+r=a b", "--url-query", at, "--url",
               "u");
    assert_string_equal(r.cfg.query, "q=a%20b&r=a b&a%20b%0A%26");
    assert_null(r.cfg.data);
    run_free(&r);
    REFUSED("no-such-file", "--data-urlencode", "n@/nonexistent/no-such-file", "--url", "u");
    REFUSED("--url-query ...@- reads standard input", "--url-query", "n@-");
    struct buf b = {0};
    prepare_urlencode("AZaz09-._~ /?=&%\xff", 17, &b);
    assert_string_equal(buf_str(&b), "AZaz09-._~%20%2F%3F%3D%26%25%FF");
    buf_free(&b);
}

/* -F fields are parsed, and their files checked, before anything is
 * fetched. */
static void test_forms(void **state)
{
    (void)state;
    const char *f = unit_text_file("form.txt", "xyz");
    char lt[512];
    snprintf(lt, sizeof lt, "t=<%s", f);
    struct run r;
    PREPARE_OK(&r, "-F", "a=1", "-F", lt, "--url", "u");
    assert_non_null(r.cfg.form);
    assert_int_equal(r.cfg.form->n, 2);
    assert_string_equal(r.cfg.form->parts[1].data, "xyz");
    run_free(&r);
    REFUSED("cannot read /nonexistent/x", "-F", "f=@/nonexistent/x", "--url", "u");
}

/* --cert FILE[:PASSWORD] is split; TLS files must be readable. */
static void test_tls_files(void **state)
{
    (void)state;
    struct buf file = {0}, pass = {0};
    assert_true(prepare_cert("c.pem:s3cret:x", &file, &pass));
    assert_string_equal(buf_str(&file), "c.pem");
    assert_string_equal(buf_str(&pass), "s3cret:x");
    buf_clear(&file);
    buf_clear(&pass);
    assert_false(prepare_cert("a\\:b\\\\c", &file, &pass));
    assert_string_equal(buf_str(&file), "a:b\\c");
    buf_clear(&file);
    assert_false(prepare_cert("pkcs11:token=a;object=b", &file, &pass));
    assert_string_equal(buf_str(&file), "pkcs11:token=a;object=b");
    buf_free(&file);
    buf_free(&pass);
    const char *cert = unit_text_file("c.pem", "x");
    char arg[512];
    snprintf(arg, sizeof arg, "%s:pw", cert);
    struct run r;
    PREPARE_OK(&r, "--cert", arg, "--key", cert, "--capath", unit_tmpdir(), "--pinnedpubkey",
               "sha256//AAAA", "--url", "u");
    assert_string_equal(r.cfg.cert_file, cert);
    assert_string_equal(r.cfg.cert_password, "pw");
    run_free(&r);
    REFUSED("cannot read --cert /nonexistent/c.pem", "--cert", "/nonexistent/c.pem:pw", "--url",
            "u");
    REFUSED("cannot read --key", "--key", "/nonexistent/k", "--url", "u");
    REFUSED("cannot read --pinnedpubkey", "--pinnedpubkey", "/nonexistent/k", "--url", "u");
    REFUSED("--capath /nonexistent is not a readable directory", "--capath", "/nonexistent",
            "--url", "u");
    REFUSED("--capath", "--capath", cert, "--url", "u");
}

/* --netrc needs ~/.netrc, --netrc-file its FILE; --netrc-optional either
 * when it exists. */
static void test_netrc(void **state)
{
    (void)state;
    const char *nf = unit_text_file("netrc", "machine h login a password b\n");
    struct run r;
    PREPARE_OK(&r, "--netrc-file", nf, "--url", "u");
    run_free(&r);
    REFUSED("cannot read --netrc-file /nonexistent/n", "--netrc-file", "/nonexistent/n", "--url",
            "u");
    PREPARE_OK(&r, "--netrc-optional", "--netrc-file", "/nonexistent/n", "--url", "u");
    run_free(&r);
    char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", "/nonexistent", 1);
    REFUSED("cannot read --netrc /nonexistent/.netrc", "--netrc", "--url", "u");
    PREPARE_OK(&r, "--netrc-optional", "--url", "u");
    run_free(&r);
    setenv("HOME", unit_tmpdir(), 1);
    unit_text_file(".netrc", "machine h login a password b\n");
    PREPARE_OK(&r, "--netrc", "--url", "u");
    run_free(&r);
    unsetenv("HOME");
    REFUSED("HOME is not set", "--netrc", "--url", "u");
    if (home) {
        setenv("HOME", home, 1);
        free(home);
    }
}

/* -b FILE must be readable (but the -c jar may be new); the jar's directory
 * writable; -D FILE is created empty. */
static void test_cookies_and_dump(void **state)
{
    (void)state;
    const char *jar = unit_text_file("jar", "# Netscape HTTP Cookie File\n");
    struct run r;
    PREPARE_OK(&r, "-b", jar, "-b", "a=1", "-b", "", "-c", jar, "--url", "u");
    run_free(&r);
    char fresh[512], dump[512];
    snprintf(fresh, sizeof fresh, "%s/fresh-jar", unit_tmpdir());
    PREPARE_OK(&r, "-b", fresh, "-c", fresh, "--url", "u");
    assert_false(exists(fresh)); /* written at the end only */
    run_free(&r);
    REFUSED("cannot read -b /nonexistent/jar", "-b", "/nonexistent/jar", "--url", "u");
    REFUSED("cannot write the cookie jar -c /nonexistent/dir/jar", "-c", "/nonexistent/dir/jar",
            "--url", "u");
    snprintf(dump, sizeof dump, "%s/dump.txt", unit_tmpdir());
    unit_text_file("dump.txt", "old");
    PREPARE_OK(&r, "-D", dump, "--url", "u");
    assert_true(r.cfg.dump_header_fd >= 0);
    struct stat st;
    assert_int_equal(stat(dump, &st), 0);
    assert_int_equal(st.st_size, 0);
    run_free(&r);
    REFUSED("cannot write -D /nonexistent/d", "-D", "/nonexistent/d", "--url", "u");
}

/* ---- connection options ------------------------------------------------- */

static void test_resolve(void **state)
{
    (void)state;
    static const char *const good[] = {
        "a:443:127.0.0.1", "b:80:::1", "c:80:[::1]",          "+d:1:10.0.0.1,10.0.0.2",
        "*:443:127.0.0.2", "-e:443",   "f:65535:1.2.3.4,::1", "g.example:8080:[fe80::1]"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct buf err = {0};
        if (!prepare_resolve(good[i], &err))
            fail_msg("'%s' refused: %s", good[i], buf_str(&err));
        buf_free(&err);
    }
    static const char *const bad[] = {
        "foo",         "a:443",  ":443:127.0.0.1", "a:0:1.2.3.4",    "a:65536:1.2.3.4",
        "a:x:1.2.3.4", "a:443:", "a:443:1.2.3",    "a:443:1.2.3.4,", "a:443:host",
        "-a",          "-a:",    "a:0x10:1.1.1.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct buf err = {0};
        if (prepare_resolve(bad[i], &err))
            fail_msg("'%s' accepted", bad[i]);
        assert_non_null(strstr(buf_str(&err), "--resolve '"));
        buf_free(&err);
    }
    REFUSED("--resolve 'foo': no HOST:PORT", "--resolve", "foo", "--url", "u");
}

static void test_connect_to(void **state)
{
    (void)state;
    static const char *const good[] = {"a:443:b:8443",      "::b:",          ":443::8443", ":::",
                                       "[::1]:80:[::2]:81", "a::127.0.0.1:", "a:1:b:65535"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct buf err = {0};
        if (!prepare_connect_to(good[i], &err))
            fail_msg("'%s' refused: %s", good[i], buf_str(&err));
        buf_free(&err);
    }
    static const char *const bad[] = {"garbage",     "a:443:b",    "a:443:b:8443:x",
                                      "a:x:b:1",     "a:1:b:0",    "a:1:b:1e3",
                                      "[::1:80:b:1", "a:1:[::2:1", "a:1:b:99999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct buf err = {0};
        if (prepare_connect_to(bad[i], &err))
            fail_msg("'%s' accepted", bad[i]);
        buf_free(&err);
    }
    REFUSED("--connect-to 'garbage': the form is HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT",
            "--connect-to", "garbage", "--url", "u");
}

static void test_proxy(void **state)
{
    (void)state;
    static const char *const good[] = {"http://proxy:3128",  "proxy:3128",
                                       "127.0.0.1:8080",     "socks5h://127.0.0.1:1080",
                                       "https://[::1]:3128", ""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct buf err = {0};
        if (!prepare_proxy(good[i], &err))
            fail_msg("'%s' refused: %s", good[i], buf_str(&err));
        buf_free(&err);
    }
    static const char *const bad[] = {"not a url", "http://", "ftp://proxy:21", "http://a b/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct buf err = {0};
        if (prepare_proxy(bad[i], &err))
            fail_msg("'%s' accepted", bad[i]);
        assert_non_null(strstr(buf_str(&err), "--proxy '"));
        buf_free(&err);
    }
    REFUSED("--proxy 'not a url' is not a URL", "-x", "not a url", "--url", "u");
}

static void test_cacert(void **state)
{
    (void)state;
    const char *pem = unit_text_file("ca.pem", "not really a certificate\n");
    struct run r;
    PREPARE_OK(&r, "--cacert", pem, "--url", "u");
    run_free(&r);
    REFUSED("cannot read --cacert missing.pem: No such file or directory", "--cacert",
            "missing.pem", "--url", "u");
    REFUSED("Is a directory", "--cacert", unit_tmpdir(), "--url", "u");
}

/* ---- output-dir, reports, order ----------------------------------------- */

static void test_output_dir(void **state)
{
    (void)state;
    char dir[512], top[256];
    snprintf(top, sizeof top, "%s/od", unit_tmpdir());
    snprintf(dir, sizeof dir, "%s/a/b", top);
    struct run r;
    PREPARE_OK(&r, "--output-dir", dir, "--url", "u");
    assert_true(exists(dir));
    run_free(&r);
    PREPARE_OK(&r, "--output-dir", dir, "--url", "u"); /* exists already */
    run_free(&r);
    const char *file = unit_text_file("plain", "x");
    char under[300];
    snprintf(under, sizeof under, "%s/sub", file);
    REFUSED("cannot create --output-dir", "--output-dir", under, "--url", "u");
    REFUSED("is not a writable directory", "--output-dir", file, "--url", "u");
    rmdir(dir);
    snprintf(dir, sizeof dir, "%s/a", top);
    rmdir(dir);
    rmdir(top);
}

static void test_reports(void **state)
{
    (void)state;
    char xml[256];
    snprintf(xml, sizeof xml, "junit=%s/r.xml", unit_tmpdir());
    struct run r;
    PREPARE_OK(&r, "--report", xml, "--url", "u");
    assert_true(exists(xml + 6));
    run_free(&r);
    unlink(xml + 6);
    REFUSED("unknown kind 'xml'", "--report", "xml=x", "--url", "u");
    REFUSED("expected KIND=FILE", "--report", "junit", "--url", "u");
}

/* Nothing is made on disk when a check fails, whatever the order of the
 * options. */
static void test_checks_first(void **state)
{
    (void)state;
    char dir[256], xml[256];
    snprintf(dir, sizeof dir, "%s/never", unit_tmpdir());
    snprintf(xml, sizeof xml, "junit=%s/never.xml", unit_tmpdir());
    REFUSED("--resolve", "--output-dir", dir, "--report", xml, "--resolve", "foo", "--url", "u");
    REFUSED("--cacert", "--output-dir", dir, "--report", xml, "--cacert", "/nonexistent.pem",
            "--url", "u");
    REFUSED("-d @-", "--output-dir", dir, "--report", xml, "-d", "@-");
    REFUSED("cannot read", "--output-dir", dir, "--report", xml, "/nonexistent/list");
    assert_false(exists(dir));
    assert_false(exists(xml + 6));
}

/* ---- open files --------------------------------------------------------- */

static void test_fit_parallel(void **state)
{
    (void)state;
    assert_int_equal(prepare_fit_parallel(1024, 1), 1024 - PREPARE_SPARE_FDS);
    assert_int_equal(prepare_fit_parallel(1024, 2), (1024 - PREPARE_SPARE_FDS) / 2);
    assert_int_equal(prepare_fit_parallel(PREPARE_SPARE_FDS + 1, 1), 1);
    assert_int_equal(prepare_fit_parallel(10, 1), 1);
    assert_int_equal(prepare_fit_parallel(0, 2), 1);
}

/* The soft limit is raised (up to the hard one) to fit -j and the
 * connection caches (4 per transfer); -j stays. Where the hard limit is
 * lower, the caches get what is left. */
static void test_raise_soft_limit(void **state)
{
    (void)state;
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 8000)
        skip();
    struct rlimit low = {200, saved.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    struct run r;
    PREPARE_OK(&r, "-j", "1000", "--threads", "3", "--url", "u");
    assert_int_equal(r.cfg.parallel, 1000);
    struct rlimit now;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
    assert_int_equal(now.rlim_cur,
                     PREPARE_CACHE_PER_TRANSFER * 1000 + PREPARE_SPARE_FDS + 3 * PREPARE_LOOP_FDS);
    assert_int_equal(r.cfg.conn_cache, PREPARE_CACHE_PER_TRANSFER * 1000);
    run_free(&r);
    /* with --output-dir each transfer holds a file as well */
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    char dir[256];
    snprintf(dir, sizeof dir, "%s/fds", unit_tmpdir());
    PREPARE_OK(&r, "-j", "900", "--threads", "1", "--output-dir", dir, "--url", "u");
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
    assert_int_equal(now.rlim_cur,
                     (1 + PREPARE_CACHE_PER_TRANSFER) * 900 + PREPARE_SPARE_FDS + PREPARE_LOOP_FDS);
    run_free(&r);
    rmdir(dir);
    /* a hard limit that fits -j but not the caches: they get the rest (in a
     * child, since a hard limit once lowered stays lowered) */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit hard = {200, 1200};
        if (setrlimit(RLIMIT_NOFILE, &hard) != 0)
            _exit(2);
        PREPARE_OK(&r, "-j", "1000", "--threads", "1", "--url", "u");
        bool ok = r.cfg.parallel == 1000 &&
                  r.cfg.conn_cache == 1000 + (1200 - 1000 - PREPARE_SPARE_FDS - PREPARE_LOOP_FDS);
        _exit(ok ? 0 : 1);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

/* --threads: the online CPUs (at most 8) when not given, never more loops
 * than -j. */
static void test_threads(void **state)
{
    (void)state;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long want = cpus < 1 ? 1 : cpus > PREPARE_DEFAULT_THREADS ? PREPARE_DEFAULT_THREADS : cpus;
    struct run r;
    PREPARE_OK(&r, "--url", "u");
    assert_int_equal(r.cfg.threads, want);
    run_free(&r);
    PREPARE_OK(&r, "--threads", "12", "--url", "u");
    assert_int_equal(r.cfg.threads, 12);
    run_free(&r);
    PREPARE_OK(&r, "--threads", "12", "-j", "5", "--url", "u");
    assert_int_equal(r.cfg.threads, 5);
    run_free(&r);
    PREPARE_OK(&r, "-j", "1", "--url", "u");
    assert_int_equal(r.cfg.threads, 1);
    run_free(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_url_args),         cmocka_unit_test(test_files),
    cmocka_unit_test(test_data_joined),      cmocka_unit_test(test_data_file),
    cmocka_unit_test(test_data_stdin),       cmocka_unit_test(test_resolve),
    cmocka_unit_test(test_connect_to),       cmocka_unit_test(test_proxy),
    cmocka_unit_test(test_cacert),           cmocka_unit_test(test_output_dir),
    cmocka_unit_test(test_reports),          cmocka_unit_test(test_checks_first),
    cmocka_unit_test(test_fit_parallel),     cmocka_unit_test(test_raise_soft_limit),
    cmocka_unit_test(test_data_kinds),       cmocka_unit_test(test_forms),
    cmocka_unit_test(test_tls_files),        cmocka_unit_test(test_netrc),
    cmocka_unit_test(test_cookies_and_dump), cmocka_unit_test(test_threads),
};

UNIT_MAIN("prepare", tests)
