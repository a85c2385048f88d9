/* test_mailbox: batches keep their order, the receiver is woken when a
 * batch lands in an empty box and when the box closes (not for every
 * post), a closed box refuses posts, and items cross threads exactly once
 * and in order. */
#include "unit.h"

#include "mailbox.h"

#include <pthread.h>
#include <stdatomic.h>

struct item {
    struct mailbox_link link;
    int v;
};

static struct item *item_of(struct mailbox_link *l)
{
    return (struct item *)(void *)((char *)l - offsetof(struct item, link));
}

static void wake(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

static void test_list(void **state)
{
    (void)state;
    struct item it[3] = {{.v = 1}, {.v = 2}, {.v = 3}};
    struct mailbox_list l = {0};
    assert_null(mailbox_list_pop(&l));
    for (int i = 0; i < 3; i++)
        mailbox_list_add(&l, &it[i].link);
    assert_int_equal(l.n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(item_of(mailbox_list_pop(&l))->v, i + 1);
    assert_null(mailbox_list_pop(&l));
    assert_int_equal(l.n, 0);
    assert_null(l.tail);
}

static void test_post_take_wake(void **state)
{
    (void)state;
    atomic_int woken;
    atomic_init(&woken, 0);
    struct mailbox mb;
    mailbox_init(&mb, wake, &woken);
    struct item it[5];
    struct mailbox_list l = {0};
    for (int i = 0; i < 2; i++) {
        it[i].v = i;
        mailbox_list_add(&l, &it[i].link);
    }
    assert_true(mailbox_post(&mb, &l));
    assert_null(l.head); /* moved */
    assert_int_equal(atomic_load(&woken), 1);
    for (int i = 2; i < 4; i++) {
        it[i].v = i;
        mailbox_list_add(&l, &it[i].link);
    }
    assert_true(mailbox_post(&mb, &l)); /* not empty: no second wake-up */
    assert_int_equal(atomic_load(&woken), 1);
    struct mailbox_list out = {0};
    assert_true(mailbox_post(&mb, &out)); /* an empty batch: nothing */
    assert_false(mailbox_take(&mb, &out));
    assert_int_equal(out.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(item_of(mailbox_list_pop(&out))->v, i);
    /* empty again: the next batch wakes */
    it[4].v = 4;
    mailbox_list_add(&l, &it[4].link);
    assert_true(mailbox_post(&mb, &l));
    assert_int_equal(atomic_load(&woken), 2);
    /* closing wakes once; posts fail and keep their items */
    mailbox_close(&mb);
    mailbox_close(&mb);
    assert_int_equal(atomic_load(&woken), 3);
    struct item late = {.v = 9};
    mailbox_list_add(&l, &late.link);
    assert_false(mailbox_post(&mb, &l));
    assert_int_equal(l.n, 1);
    assert_true(mailbox_take(&mb, &out)); /* what came before is still there */
    assert_int_equal(out.n, 1);
    assert_int_equal(item_of(out.head)->v, 4);
    mailbox_destroy(&mb);
}

#define PRODUCED 20000

struct consumer {
    struct mailbox *mb;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool woken;
    int next; /* the value expected next */
    bool bad;
};

static void consumer_wake(void *arg)
{
    struct consumer *c = arg;
    pthread_mutex_lock(&c->lock);
    c->woken = true;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void *consumer_main(void *arg)
{
    struct consumer *c = arg;
    for (;;) {
        struct mailbox_list l = {0};
        bool closed = mailbox_take(c->mb, &l);
        struct mailbox_link *ln;
        while ((ln = mailbox_list_pop(&l))) {
            if (item_of(ln)->v != c->next)
                c->bad = true;
            c->next++;
        }
        if (closed)
            break;
        pthread_mutex_lock(&c->lock);
        while (!c->woken)
            pthread_cond_wait(&c->cond, &c->lock); /* a lost wake-up hangs here */
        c->woken = false;
        pthread_mutex_unlock(&c->lock);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct consumer c = {.next = 0};
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.cond, NULL);
    struct mailbox mb;
    mailbox_init(&mb, consumer_wake, &c);
    c.mb = &mb;
    struct item *items = calloc(PRODUCED, sizeof *items);
    assert_non_null(items);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, consumer_main, &c), 0);
    for (int i = 0; i < PRODUCED;) {
        struct mailbox_list l = {0};
        int n = 1 + i % 7;
        for (int k = 0; k < n && i < PRODUCED; k++, i++) {
            items[i].v = i;
            mailbox_list_add(&l, &items[i].link);
        }
        assert_true(mailbox_post(&mb, &l));
    }
    mailbox_close(&mb);
    pthread_join(t, NULL);
    assert_false(c.bad);
    assert_int_equal(c.next, PRODUCED);
    mailbox_destroy(&mb);
    pthread_mutex_destroy(&c.lock);
    pthread_cond_destroy(&c.cond);
    free(items);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_list),
    cmocka_unit_test(test_post_take_wake),
    cmocka_unit_test(test_threads),
};

UNIT_MAIN("mailbox", tests)
