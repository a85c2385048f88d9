/* clock: wall-clock time and the RFC 3339 format of record timestamps. */
#include "clock.h"

int64_t clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of clock_days_from_civil. */
static void clock_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void clock_digits(struct buf *dst, int64_t v, int width)
{
    char tmp[8];
    for (int i = width - 1; i >= 0; i--) {
        tmp[i] = (char)('0' + v % 10);
        v /= 10;
    }
    buf_add(dst, tmp, (size_t)width);
}

void clock_rfc3339(struct buf *dst, int64_t wall_ms)
{
    int64_t secs = wall_ms >= 0 ? wall_ms / 1000 : (wall_ms - 999) / 1000;
    int64_t ms = wall_ms - secs * 1000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t sod = secs - days * 86400;
    int64_t y;
    int m, d;
    clock_civil_from_days(days, &y, &m, &d);
    clock_digits(dst, y, 4);
    buf_addc(dst, '-');
    clock_digits(dst, m, 2);
    buf_addc(dst, '-');
    clock_digits(dst, d, 2);
    buf_addc(dst, 'T');
    clock_digits(dst, sod / 3600, 2);
    buf_addc(dst, ':');
    clock_digits(dst, sod / 60 % 60, 2);
    buf_addc(dst, ':');
    clock_digits(dst, sod % 60, 2);
    buf_addc(dst, '.');
    clock_digits(dst, ms, 3);
    buf_addc(dst, 'Z');
}

/* 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
#define CLOCK_MIN_MS (-62167219200000LL)
#define CLOCK_MAX_MS (253402300799999LL)

/* The days of month M (1..12) in year Y. */
static int clock_month_days(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

/* N digits at *P (advanced), or -1. */
static int64_t clock_num(const char **p, const char *e, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (*p >= e || **p < '0' || **p > '9')
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

static bool clock_expect(const char **p, const char *e, const char *any)
{
    if (*p >= e)
        return false;
    for (; *any; any++)
        if (**p == *any) {
            (*p)++;
            return true;
        }
    return false;
}

bool clock_parse_rfc3339(const char *s, size_t len, int64_t *wall_ms)
{
    const char *p = s, *e = s + len;
    int64_t y = clock_num(&p, e, 4);
    if (y < 0 || !clock_expect(&p, e, "-"))
        return false;
    int64_t mo = clock_num(&p, e, 2);
    if (mo < 1 || mo > 12 || !clock_expect(&p, e, "-"))
        return false;
    int64_t d = clock_num(&p, e, 2);
    if (d < 1 || d > clock_month_days(y, (int)mo) || !clock_expect(&p, e, "Tt "))
        return false;
    int64_t hh = clock_num(&p, e, 2);
    if (hh < 0 || hh > 23 || !clock_expect(&p, e, ":"))
        return false;
    int64_t mi = clock_num(&p, e, 2);
    if (mi < 0 || mi > 59 || !clock_expect(&p, e, ":"))
        return false;
    int64_t ss = clock_num(&p, e, 2);
    if (ss < 0 || ss > 60)
        return false;
    int64_t ms = 0;
    if (p < e && *p == '.') {
        p++;
        int n = 0;
        for (; p < e && *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3)
                ms = ms * 10 + (*p - '0');
        if (n == 0)
            return false;
        for (; n < 3; n++)
            ms *= 10;
    }
    int64_t off = 0;
    if (clock_expect(&p, e, "Zz")) {
        /* UTC */
    } else if (p < e && (*p == '+' || *p == '-')) {
        int sign = *p++ == '-' ? -1 : 1;
        int64_t oh = clock_num(&p, e, 2);
        if (oh < 0 || oh > 23 || !clock_expect(&p, e, ":"))
            return false;
        int64_t om = clock_num(&p, e, 2);
        if (om < 0 || om > 59)
            return false;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return false;
    }
    if (p != e)
        return false;
    int64_t secs = clock_days_from_civil(y, (int)mo, (int)d) * 86400 + hh * 3600 + mi * 60 + ss;
    int64_t t = (secs - off) * 1000 + ms;
    /* only instants clock_rfc3339 can write: years 0000 to 9999 in UTC */
    if (t < CLOCK_MIN_MS || t > CLOCK_MAX_MS)
        return false;
    *wall_ms = t;
    return true;
}
