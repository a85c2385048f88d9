/* fuzz_rfc3339: libFuzzer target for clock_parse_rfc3339 (the --max-age
 * reading of record timestamps). What it accepts must be an RFC 3339
 * date-time: a real calendar date, printed back by clock_rfc3339 (the
 * records' own format) and read again as the same instant; a timestamp in
 * that very format reads back to the same text. Whatever it is given, it
 * never reads outside the LEN bytes (the input is not NUL-terminated). */
#include "clock.h"
#include "fuzz.h"

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The date part of S when it has the grammar's digits: a real date? */
static bool real_date(const char *s)
{
    int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap(y));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy: ASan reports a read past LEN */
    char *s = malloc(size ? size : 1);
    FUZZ_CHECK(s != NULL);
    if (size)
        memcpy(s, data, size);
    int64_t ms;
    if (clock_parse_rfc3339(s, size, &ms)) {
        FUZZ_CHECK(size >= 20);
        FUZZ_CHECK(real_date(s));
        struct buf out = {0};
        clock_rfc3339(&out, ms);
        FUZZ_CHECK(out.len == 24);
        int64_t again;
        FUZZ_CHECK(clock_parse_rfc3339(out.p, out.len, &again));
        FUZZ_CHECK(again == ms);
        /* the records' own format reads back to itself (a leap second
         * ":60" is the next minute's ":00") */
        if (size == 24 && s[10] == 'T' && s[19] == '.' && s[23] == 'Z' && memcmp(s + 17, "60", 2))
            FUZZ_CHECK(memcmp(out.p, s, 24) == 0);
        buf_free(&out);
    }
    free(s);
    return 0;
}
