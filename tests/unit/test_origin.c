/* test_origin: the origin key, an origin's queue in seq order, the two
 * indexed heaps (checked against a brute-force minimum through random
 * inserts, key changes and removals, as libevent's regress_minheap does)
 * and the growing origin table. */
#include "unit.h"

#include "origin.h"

/* ---- the key ------------------------------------------------------------ */

static void assert_key(const char *url, const char *want)
{
    struct buf b = {0};
    buf_adds(&b, "stale");
    origin_key(url, &b);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

static void test_key(void **state)
{
    (void)state;
    assert_key("http://example.com/x", "http://example.com");
    assert_key("https://example.com/x", "https://example.com");
    assert_key("HTTPS://Example.COM", "https://example.com");
    assert_key("http://h:8080/a?b#c", "http://h:8080");
    assert_key("https://h:443/", "https://h");   /* the default port, written or not */
    assert_key("http://user:pw@h/", "http://h"); /* userinfo is not the origin */
    assert_key("http://a@b@h:81/", "http://h:81");
    assert_key("http://h/p?q=u@x", "http://h"); /* an @ after the authority */
    assert_key("http://[::1]/", "http://[::1]");
    assert_key("http://[::1]:8443/", "http://[::1]:8443");
    assert_key("https://[fe80::1%25eth0]/", "https://[fe80::1%25eth0]");
}

/* ---- the queue ---------------------------------------------------------- */

static void test_queue_in_seq_order(void **state)
{
    (void)state;
    struct origin o = {0};
    origin_init(&o);
    assert_null(origin_head(&o));
    assert_null(origin_pop(&o));
    struct origin_entry e[8];
    uint64_t seqs[] = {10, 11, 12, 15, 5, 13, 20, 1}; /* new lines, retries, one between */
    for (size_t i = 0; i < 8; i++) {
        e[i].seq = seqs[i];
        origin_push(&o, &e[i]);
    }
    assert_int_equal(origin_head(&o)->seq, 1);
    uint64_t want[] = {1, 5, 10, 11, 12, 13, 15, 20};
    for (size_t i = 0; i < 8; i++) {
        struct origin_entry *x = origin_pop(&o);
        assert_non_null(x);
        assert_int_equal(x->seq, want[i]);
    }
    assert_null(origin_pop(&o));
}

/* ---- the heaps ---------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#define N 1024

/* The smallest next_start among the origins still in the heap. */
static int64_t brute_min(const struct origin *o, const bool *in)
{
    int64_t m = INT64_MAX;
    for (size_t i = 0; i < N; i++)
        if (in[i] && o[i].next_start < m)
            m = o[i].next_start;
    return m;
}

static void test_heap_by_time(void **state)
{
    (void)state;
    static struct origin o[N];
    static bool in[N];
    memset(o, 0, sizeof o);
    memset(in, 0, sizeof in);
    struct origin_heap h = {.order = ORIGIN_BY_TIME};
    assert_null(origin_heap_top(&h));
    uint64_t seed = 0x12345678;
    for (size_t i = 0; i < N; i++) {
        origin_init(&o[i]);
        o[i].next_start = (int64_t)(rnd(&seed) % 5000); /* many equal keys too */
        origin_heap_put(&h, &o[i]);
        in[i] = true;
        assert_true(origin_heap_has(&h, &o[i]));
    }
    assert_true(origin_heap_valid(&h));
    assert_int_equal(h.n, N);
    /* change keys, remove some, re-insert some */
    for (int round = 0; round < 4000; round++) {
        size_t i = rnd(&seed) % N;
        switch (rnd(&seed) % 3) {
        case 0: /* a new key, up or down */
            o[i].next_start = (int64_t)(rnd(&seed) % 5000);
            if (in[i])
                origin_heap_put(&h, &o[i]);
            break;
        case 1:
            origin_heap_remove(&h, &o[i]);
            origin_heap_remove(&h, &o[i]); /* twice: nothing */
            in[i] = false;
            assert_false(origin_heap_has(&h, &o[i]));
            break;
        default:
            origin_heap_put(&h, &o[i]);
            in[i] = true;
            break;
        }
        if (round % 97 == 0)
            assert_true(origin_heap_valid(&h));
        struct origin *top = origin_heap_top(&h);
        if (top)
            assert_int_equal(top->next_start, brute_min(o, in));
    }
    /* empty it from the top: keys come out in order */
    int64_t last = -1;
    size_t n = 0;
    struct origin *top;
    while ((top = origin_heap_top(&h))) {
        assert_true(top->next_start >= last);
        last = top->next_start;
        origin_heap_remove(&h, top);
        in[top - o] = false;
        n++;
    }
    for (size_t i = 0; i < N; i++)
        assert_false(in[i]);
    assert_true(n > 0);
    origin_heap_free(&h);
}

/* Ordered by the seq of each queue's head: popping re-places the origin. */
static void test_heap_by_head(void **state)
{
    (void)state;
    struct origin o[3];
    struct origin_entry e[6];
    uint64_t seqs[6] = {4, 9, 2, 7, 1, 8}; /* o[i] gets e[2i], e[2i+1] */
    struct origin_heap h = {.order = ORIGIN_BY_HEAD};
    struct origin_heap t = {.order = ORIGIN_BY_TIME};
    for (size_t i = 0; i < 3; i++) {
        memset(&o[i], 0, sizeof o[i]);
        origin_init(&o[i]);
        for (size_t j = 0; j < 2; j++) {
            e[2 * i + j].seq = seqs[2 * i + j];
            origin_push(&o[i], &e[2 * i + j]);
        }
        origin_heap_put(&h, &o[i]);
        origin_heap_put(&t, &o[i]); /* one origin in both heaps: its own position in each */
    }
    assert_true(origin_heap_valid(&h) && origin_heap_valid(&t));
    uint64_t want[] = {1, 2, 4, 7, 8, 9};
    for (size_t k = 0; k < 6; k++) {
        struct origin *top = origin_heap_top(&h);
        assert_non_null(top);
        assert_int_equal(origin_pop(top)->seq, want[k]);
        if (origin_head(top))
            origin_heap_put(&h, top); /* its key changed */
        else
            origin_heap_remove(&h, top);
        assert_true(origin_heap_valid(&h));
    }
    assert_null(origin_heap_top(&h));
    assert_int_equal(t.n, 3);
    origin_heap_free(&h);
    origin_heap_free(&t);
}

/* ---- the table ---------------------------------------------------------- */

static void count_one(struct origin *o, void *arg)
{
    (void)o;
    ++*(size_t *)arg;
}

static void test_table(void **state)
{
    (void)state;
    struct origin_table t;
    origin_table_init(&t);
    struct origin *a = origin_table_get(&t, "http://a.example/x");
    assert_non_null(a);
    assert_string_equal(a->key, "http://a.example");
    assert_ptr_equal(origin_table_get(&t, "http://A.example:80/y?z"), a);
    assert_ptr_equal(origin_table_get(&t, "http://u:p@a.example/"), a);
    struct origin *b = origin_table_get(&t, "https://a.example/x");
    assert_ptr_not_equal(a, b);
    assert_int_equal(t.n, 2);
    a->inflight = 3; /* state survives growth */

    /* far past 2 per bucket: the table grows and finds every origin again */
    char url[64];
    struct origin *seen[2000];
    for (int i = 0; i < 2000; i++) {
        snprintf(url, sizeof url, "http://h%d.example:%d/", i, 1000 + i % 7);
        seen[i] = origin_table_get(&t, url);
    }
    assert_int_equal(t.n, 2002);
    assert_true(t.nbuckets > 64);
    for (int i = 0; i < 2000; i++) {
        snprintf(url, sizeof url, "http://H%d.EXAMPLE:%d/other", i, 1000 + i % 7);
        assert_ptr_equal(origin_table_get(&t, url), seen[i]);
    }
    assert_ptr_equal(origin_table_get(&t, "http://a.example/"), a);
    assert_int_equal(a->inflight, 3);
    size_t n = 0;
    origin_table_each(&t, count_one, &n);
    assert_int_equal(n, 2002);

    /* removed: gone, and made anew (empty) when asked again */
    origin_table_remove(&t, a);
    assert_int_equal(t.n, 2001);
    struct origin *a2 = origin_table_get(&t, "http://a.example/");
    assert_int_equal(a2->inflight, 0);
    assert_int_equal(t.n, 2002);
    origin_table_free(&t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_key),          cmocka_unit_test(test_queue_in_seq_order),
    cmocka_unit_test(test_heap_by_time), cmocka_unit_test(test_heap_by_head),
    cmocka_unit_test(test_table),
};

UNIT_MAIN("origin", tests)
