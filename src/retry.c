/* retry: which failures are worth another attempt, and when. */
#include "retry.h"
#include "clock.h"

#include <ctype.h>
#include <stdio.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool retry_transient(const struct retry_attempt *a)
{
    switch (a->kind) {
    case KIND_DNS:
    case KIND_CONNECT:
    case KIND_TIMEOUT:
        return true;
    case KIND_PROTOCOL:
        /* an empty reply, or a connection reset in the middle of a response */
        return a->curl_code == CURLE_GOT_NOTHING || a->curl_code == CURLE_RECV_ERROR ||
               a->curl_code == CURLE_SEND_ERROR;
    case KIND_HTTP:
    case KIND_CHECK: /* a transient status refused by --expect-status is still transient */
        switch (a->http_code) {
        case 408:
        case 429:
        case 500:
        case 502:
        case 503:
        case 504:
            return true;
        default:
            return false;
        }
    default:
        return false;
    }
}

long retry_decide(const struct retry_policy *p, const struct retry_attempt *a, uint32_t rnd)
{
    if (a->kind == KIND_NONE || a->kind == KIND_INPUT || a->kind == KIND_CANCELLED || a->local)
        return -1;
    if (a->attempts > p->retries)
        return -1;
    if (!p->all_errors && (!a->idempotent || !retry_transient(a)))
        return -1;
    if (p->busy_only && !p->all_errors && a->http_code != 429 && a->http_code != 503)
        return -1;
    if (a->retry_after_ms >= 0)
        return a->retry_after_ms < p->max_delay_ms ? a->retry_after_ms : p->max_delay_ms;
    /* full jitter: uniform in [0, min(cap, delay * 2^(attempt-1))] */
    long ceiling = p->delay_ms;
    for (long i = 1; i < a->attempts && ceiling < p->max_delay_ms; i++)
        ceiling *= 2;
    if (ceiling > p->max_delay_ms)
        ceiling = p->max_delay_ms;
    if (ceiling <= 0)
        return 0;
    return (long)(rnd % ((uint64_t)ceiling + 1));
}

static int retry_month(const char *m)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (strncmp(m, names + 3 * i, 3) == 0)
            return i;
    return -1;
}

long retry_parse_after(const char *value, time_t now)
{
    while (*value == ' ' || *value == '\t')
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        unsigned long long secs = strtoull(value, &end, 10);
        while (*end == ' ' || *end == '\t')
            end++;
        if (*end)
            return -1;
        if (secs > 86400ULL * 365)
            secs = 86400ULL * 365;
        return (long)(secs * 1000);
    }
    /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
    char wday[4], mon[4], zone[4];
    int day, year, hh, mm, ss;
    if (sscanf(value, "%3s, %d %3s %d %d:%d:%d %3s", wday, &day, mon, &year, &hh, &mm, &ss, zone) !=
        8)
        return -1;
    int m = retry_month(mon);
    /* sscanf's %d also takes signs: every field must be in range */
    if (m < 0 || strcmp(zone, "GMT") || day < 1 || day > 31 || year < 0 || year > 9999 || hh < 0 ||
        hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return -1;
    int64_t t = clock_days_from_civil(year, m + 1, day) * 86400 + hh * 3600 + mm * 60 + ss;
    int64_t diff = t - (int64_t)now;
    if (diff <= 0)
        return 0;
    if (diff > 86400LL * 365)
        diff = 86400LL * 365;
    return (long)(diff * 1000);
}

bool retry_idempotent(const char *method)
{
    static const char *const safe[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        if (strcasecmp(method, safe[i]) == 0)
            return true;
    return false;
}
