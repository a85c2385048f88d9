/* fuzz_retry_after: libFuzzer target for retry_parse_after (a server's
 * Retry-After header). Input: 4 bytes of "now", then the value. The
 * result is -1 or a delay within a year; delay-seconds give exactly
 * seconds * 1000 (capped); an IMF-fixdate, checked here against timegm,
 * gives the time until it (0 for the past); any date it takes has every
 * field in range (no negative hour, a year of 4 digits at most). */
#define _DEFAULT_SOURCE /* timegm */
#include "fuzz.h"
#include "retry.h"

#include <ctype.h>
#include <limits.h>

#define YEAR_MS (86400L * 365 * 1000)

static bool all_digits(const char *s, unsigned long long *v)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    unsigned long long x = 0;
    bool big = false;
    for (; isdigit((unsigned char)*s); s++) {
        if (x > (ULLONG_MAX - 9) / 10)
            big = true;
        else
            x = x * 10 + (unsigned long long)(*s - '0');
    }
    while (*s == ' ' || *s == '\t')
        s++;
    *v = big ? ULLONG_MAX : x;
    return *s == '\0';
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* S (blanks skipped) in the strict IMF-fixdate form
 * "Sun, 06 Nov 1994 08:49:37 GMT": its time, or false. */
static bool fixdate(const char *s, time_t *t)
{
    while (*s == ' ' || *s == '\t')
        s++;
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':' || strcmp(s + 25, " GMT"))
        return false;
    for (int i = 0; i < 3; i++)
        if (!isalpha((unsigned char)s[i]))
            return false;
    int mon = -1;
    for (int i = 0; i < 12; i++)
        if (!memcmp(s + 8, mons[i], 3))
            mon = i;
    int d = num(s + 5, 2), y = num(s + 12, 4), hh = num(s + 17, 2), mm = num(s + 20, 2),
        ss = num(s + 23, 2);
    if (mon < 0 || d < 1 || d > 31 || y < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
        ss > 60)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mon,
                    .tm_mday = d,
                    .tm_hour = hh,
                    .tm_min = mm,
                    .tm_sec = ss};
    *t = timegm(&tm);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    time_t now = (time_t)fuzz_u32(&in);
    char *v = fuzz_dup(in.p, in.n); /* a NUL ends it, as in a header value */
    long got = retry_parse_after(v, now);
    FUZZ_CHECK(got >= -1 && got <= YEAR_MS);
    unsigned long long secs;
    time_t t;
    if (all_digits(v, &secs)) {
        FUZZ_CHECK(got == (secs > 86400ULL * 365 ? YEAR_MS : (long)secs * 1000));
    } else if (fixdate(v, &t)) {
        int64_t diff = (int64_t)t - (int64_t)now;
        long want = diff <= 0 ? 0 : diff > 86400L * 365 ? YEAR_MS : (long)diff * 1000;
        FUZZ_CHECK(got == want);
    } else if (got >= 0) { /* a looser date: its fields are still in range */
        char wday[4], mon[4], zone[4];
        int day, year, hh, mm, ss;
        FUZZ_CHECK(sscanf(v, "%3s, %d %3s %d %d:%d:%d %3s", wday, &day, mon, &year, &hh, &mm, &ss,
                          zone) == 8);
        FUZZ_CHECK(day >= 1 && day <= 31 && year >= 0 && year <= 9999);
        FUZZ_CHECK(hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59 && ss >= 0 && ss <= 60);
    }
    free(v);
    return 0;
}
