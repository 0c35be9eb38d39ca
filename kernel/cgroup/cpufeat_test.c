// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the cpufeat controller's pure logic: parsing writes,
 * printing, dependency closure, effective sets over a hierarchy and the
 * secureexec variant, over a small table of their own; and the sanity of
 * the architecture's real table.  Included by cpufeat.c.
 */

#include <kunit/test.h>
#include <linux/auxvec.h>
#include <linux/prandom.h>
#include <linux/string_helpers.h>

#ifdef CONFIG_X86
#include <asm/hwcap2.h>
#endif

enum { T_FPU, T_SSE, T_SSE2, T_GAP, T_AVX, T_AVX2, T_AES, T_PAC, T_NR };

static const char * const test_names[T_NR] = {
	[T_FPU] = "fpu", [T_SSE] = "sse", [T_SSE2] = "sse2", [T_AVX] = "avx",
	[T_AVX2] = "avx2", [T_AES] = "aes", [T_PAC] = "pac",
};

static const struct cpufeat_dep test_deps[] = {
	{ T_SSE, T_FPU }, { T_SSE2, T_SSE }, { T_AVX, T_SSE2 },
	{ T_AVX2, T_AVX }, { T_AES, T_SSE2 }, { T_PAC, T_AES },
};

static const unsigned int test_protected[] = { T_PAC };

static const struct cpufeat_table test_table = {
	.nr = T_NR,
	.names = test_names,
	.deps = test_deps,
	.nr_deps = ARRAY_SIZE(test_deps),
	.protected = test_protected,
	.nr_protected = ARRAY_SIZE(test_protected),
};

/* Parse @text into @s (starting from "max"), failing the test on error. */
static void test_setting(struct kunit *test, const char *text,
			 struct cpufeat_setting *s)
{
	char *buf = kunit_kstrdup(test, text, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(s, 0, sizeof(*s));
	s->max = true;
	KUNIT_ASSERT_EQ_MSG(test, cpufeat_parse(&test_table, buf, s), 0,
			    "setting \"%s\"", text);
}

/* Print @set with cpufeat_print() into @buf. */
static const char *test_print(struct kunit *test, const unsigned long *set)
{
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct seq_file m = { .buf = buf, .size = PAGE_SIZE };

	KUNIT_ASSERT_NOT_NULL(test, buf);
	cpufeat_print(&m, &test_table, set);
	KUNIT_ASSERT_LT(test, m.count, (size_t)PAGE_SIZE);
	buf[m.count] = '\0';
	return buf;
}

static const char *test_print_setting(struct kunit *test,
				      const struct cpufeat_setting *s)
{
	return s->max ? "max\n" : test_print(test, s->allowed);
}

struct cpufeat_parse_case {
	const char *start;	/* setting before the write */
	const char *write;
	const char *read;	/* what cpufeat.hwcap reads afterwards */
};

static const struct cpufeat_parse_case accepted_cases[] = {
	{ "max", "max", "max\n" },
	{ "max", "max\n", "max\n" },
	{ "fpu sse", "\tmax\t\n", "max\n" },
	{ "max", "sse fpu", "fpu sse\n" },
	{ "max", "fpu\tsse\n", "fpu sse\n" },
	{ "max", "avx2", "avx2\n" },
	{ "fpu", "aes pac avx fpu", "fpu avx aes pac\n" },
	{ "max", "-avx", "fpu sse sse2 avx2 aes pac\n" },
	{ "max", "+avx", "max\n" },
	{ "fpu sse", "+sse2 -fpu", "sse sse2\n" },
	{ "fpu sse", "+avx +avx2 +sse2 +aes +pac", "max\n" },
	{ "max", "fpu sse sse2 avx avx2 aes pac", "max\n" },
	{ "avx", "-avx +fpu", "fpu\n" },
};

static void cpufeat_parse_case_desc(const struct cpufeat_parse_case *c,
				    char *desc)
{
	char write[KUNIT_PARAM_DESC_SIZE];
	int len;

	/* Keep the KTAP line one line: escape \t, \n and non-ASCII bytes. */
	len = string_escape_str(c->write, write, sizeof(write) - 1,
				ESCAPE_SPACE | ESCAPE_HEX | ESCAPE_NP, NULL);
	write[min_t(int, len, sizeof(write) - 1)] = '\0';
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\" on \"%s\"", write,
		 c->start);
}

KUNIT_ARRAY_PARAM(cpufeat_accepted, accepted_cases, cpufeat_parse_case_desc);

static void cpufeat_test_parse_accepted(struct kunit *test)
{
	const struct cpufeat_parse_case *c = test->param_value;
	struct cpufeat_setting s;
	char *buf = kunit_kstrdup(test, c->write, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	test_setting(test, c->start, &s);
	KUNIT_ASSERT_EQ(test, cpufeat_parse(&test_table, buf, &s), 0);
	KUNIT_EXPECT_STREQ(test, test_print_setting(test, &s), c->read);
}

static const struct cpufeat_parse_case rejected_cases[] = {
	{ "fpu sse", "" },
	{ "fpu sse", " \t\n " },
	{ "fpu sse", "max fpu" },
	{ "fpu sse", "fpu max" },
	{ "fpu sse", "max max" },
	{ "fpu sse", "MAX" },
	{ "fpu sse", "Fpu" },
	{ "fpu sse", "fpu +sse" },
	{ "fpu sse", "+sse fpu" },
	{ "fpu sse", "-sse max" },
	{ "fpu sse", "neon" },
	{ "fpu sse", "fpu," },
	{ "fpu sse", "+" },
	{ "fpu sse", "-" },
	{ "fpu sse", "+ fpu" },
	{ "fpu sse", "+-fpu" },
	{ "fpu sse", "--fpu" },
	{ "fpu sse", "++fpu" },
	{ "fpu sse", "fpu fpu" },
	{ "fpu sse", "+fpu -fpu" },
	{ "fpu sse", "-fpu -sse" },
	{ "max", "-fpu -sse -sse2 -avx -avx2 -aes -pac" },
	{ "fpu sse", "fpu\xc3\xa9" },
	{ "fpu sse", "(null)" },
};

KUNIT_ARRAY_PARAM(cpufeat_rejected, rejected_cases, cpufeat_parse_case_desc);

static void cpufeat_test_parse_rejected(struct kunit *test)
{
	const struct cpufeat_parse_case *c = test->param_value;
	struct cpufeat_setting s, before;
	char *buf = kunit_kstrdup(test, c->write, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	test_setting(test, c->start, &s);
	before = s;
	KUNIT_EXPECT_EQ(test, cpufeat_parse(&test_table, buf, &s), -EINVAL);
	KUNIT_EXPECT_TRUE(test, cpufeat_setting_equal(&s, &before));
	KUNIT_EXPECT_STREQ(test, test_print_setting(test, &s),
			   test_print_setting(test, &before));
}

/* Writing back what was read gives the same state, for every subset. */
static void cpufeat_test_round_trip(struct kunit *test)
{
	struct cpufeat_setting s, again;
	unsigned long subset;
	char *buf;

	for (subset = 1; subset < BIT(T_NR); subset++) {
		if (subset & BIT(T_GAP))
			continue;
		memset(&s, 0, sizeof(s));
		bitmap_from_u64(s.allowed, subset);
		s.max = subset == (BIT(T_NR) - 1 - BIT(T_GAP));
		buf = kunit_kstrdup(test, test_print_setting(test, &s),
				    GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		memset(&again, 0, sizeof(again));
		again.max = true;
		KUNIT_ASSERT_EQ_MSG(test, cpufeat_parse(&test_table, buf, &again),
				    0, "subset %lx", subset);
		KUNIT_EXPECT_TRUE_MSG(test, cpufeat_setting_equal(&s, &again),
				      "subset %lx", subset);
	}
}

/*
 * Fuzzing the parser.  Every input is parsed from one of a few starting
 * settings: a rejected input must leave the setting alone, an accepted one
 * must give a setting whose reading parses back to itself.
 */
#define TEST_FUZZ_INPUTS	100000
#define TEST_FUZZ_MAX_LEN	300
#define TEST_FUZZ_MAX_FAILURES	5
#define TEST_FUZZ_SEED		0x637075666561ULL	/* "cpufea" */

static const char * const test_fuzz_starts[] = {
	"max", "fpu sse", "avx", "pac", "fpu sse sse2 avx avx2 aes",
};

/*
 * What random bytes stand for, in 256ths, weighted toward the grammar; the
 * rest are arbitrary bytes other than NUL, drawn when the test starts.
 */
static const struct {
	const char *set;	/* drawn from evenly; "" for a whole word */
	unsigned int weight;
} test_fuzz_weights[] = {
	{ "", 48 },		/* "max" or a name of the table */
	{ " ", 36 }, { "\t", 8 }, { "\n", 8 }, { "+", 16 }, { "-", 16 },
	{ "abcdefghijklmnopqrstuvwxyz", 52 },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 16 },
	{ "0123456789", 20 }, { "_", 8 },
};

struct test_fuzz {
	struct rnd_state rnd;
	u32 bits;			/* random bytes not used yet */
	unsigned int nr_bits;
	const char *words[T_NR + 1];	/* "max" and the names */
	unsigned int nr_words;
	char alphabet[256];
	unsigned int n;			/* number of the current input */
	unsigned int failures;
	char in[TEST_FUZZ_MAX_LEN + 1];	/* the input, kept intact */
	size_t len;
	char buf[TEST_FUZZ_MAX_LEN + 1];	/* what cpufeat_parse() gets */
	char out[64];			/* a setting as cpufeat.hwcap reads */
};

static u8 test_fuzz_rand8(struct test_fuzz *f)
{
	if (!f->nr_bits) {
		f->bits = prandom_u32_state(&f->rnd);
		f->nr_bits = 32;
	}
	f->nr_bits -= 8;
	return f->bits >> f->nr_bits;
}

/* A random number below @n; small ones take a byte of randomness only. */
static u32 test_fuzz_rand(struct test_fuzz *f, u32 n)
{
	if (n <= 16)
		return test_fuzz_rand8(f) % n;
	return prandom_u32_state(&f->rnd) % n;
}

static void test_fuzz_init(struct kunit *test, struct test_fuzz *f)
{
	unsigned int i, j, k = 0;
	const char *set;

	prandom_seed_state(&f->rnd, TEST_FUZZ_SEED);
	f->words[f->nr_words++] = "max";
	for (i = 0; i < T_NR; i++)
		if (test_names[i])
			f->words[f->nr_words++] = test_names[i];

	for (i = 0; i < ARRAY_SIZE(test_fuzz_weights); i++) {
		set = test_fuzz_weights[i].set;
		KUNIT_ASSERT_LE(test, k + test_fuzz_weights[i].weight,
				sizeof(f->alphabet));
		for (j = 0; j < test_fuzz_weights[i].weight; j++)
			f->alphabet[k++] = *set ?
				set[test_fuzz_rand(f, strlen(set))] : 0;
	}
	/* Arbitrary bytes, half of them from 0x80-0xff. */
	for (; k < sizeof(f->alphabet); k++)
		f->alphabet[k] = k & 1 ? 0x80 + test_fuzz_rand(f, 0x80) :
					 1 + test_fuzz_rand(f, 0x7f);
}

/* Append @c to the input if it fits. */
static void test_fuzz_addc(struct test_fuzz *f, char c)
{
	if (f->len < TEST_FUZZ_MAX_LEN)
		f->in[f->len++] = c;
}

/* Append @s to the input, as far as it fits. */
static void test_fuzz_add(struct test_fuzz *f, const char *s)
{
	while (*s)
		test_fuzz_addc(f, *s++);
}

/* A random byte of the alphabet; never NUL, and no whole word. */
static char test_fuzz_byte(struct test_fuzz *f)
{
	char c;

	do {
		c = f->alphabet[test_fuzz_rand8(f)];
	} while (!c);
	return c;
}

static const char *test_fuzz_name(struct test_fuzz *f)
{
	/* words[0] is "max". */
	return f->words[1 + test_fuzz_rand(f, f->nr_words - 1)];
}

/* Append a random byte or word of the alphabet. */
static void test_fuzz_add_piece(struct test_fuzz *f)
{
	char c = f->alphabet[test_fuzz_rand8(f)];

	if (c)
		test_fuzz_addc(f, c);
	else
		test_fuzz_add(f, f->words[test_fuzz_rand8(f) % f->nr_words]);
}

/* (a) Random pieces, 0 to TEST_FUZZ_MAX_LEN bytes. */
static void test_fuzz_random(struct test_fuzz *f)
{
	size_t len = test_fuzz_rand(f, TEST_FUZZ_MAX_LEN + 1), i;
	u8 *raw = (u8 *)f->buf;	/* free until the input is parsed */

	/* A byte takes one random byte, a word of 3+ bytes two. */
	prandom_bytes_state(&f->rnd, raw, len + 1);
	f->len = 0;
	for (i = 0; f->len < len; i++) {
		if (f->alphabet[raw[i]]) {
			f->in[f->len++] = f->alphabet[raw[i]];
		} else {
			i++;
			test_fuzz_add(f, f->words[raw[i] % f->nr_words]);
		}
	}
	f->len = len;
}

/* A run of one to three separators. */
static void test_fuzz_add_space(struct test_fuzz *f)
{
	unsigned int i, n = 1 + test_fuzz_rand(f, 3);

	for (i = 0; i < n; i++)
		test_fuzz_addc(f, " \t\n"[test_fuzz_rand(f, 3)]);
}

/*
 * (b) A valid write: "max", a list of names or a list of edits; then some
 * of its tokens duplicated or swapped and some of its bytes inserted,
 * deleted or replaced.
 */
static void test_fuzz_mutated(struct test_fuzz *f)
{
	const char *tokens[2 * T_NR];
	char edits[2 * T_NR];
	unsigned int form = test_fuzz_rand(f, 3);
	unsigned int nr = 0, i, j, k, n;
	size_t pos;

	if (!form) {
		tokens[nr] = "max";
		edits[nr++] = 0;
	}
	for (i = 0; form && i < T_NR; i++) {
		if (!test_names[i] || test_fuzz_rand(f, 2))
			continue;
		tokens[nr] = test_names[i];
		edits[nr++] = form == 1 ? 0 : "+-"[test_fuzz_rand(f, 2)];
	}
	if (!nr) {
		tokens[nr] = test_fuzz_name(f);
		edits[nr++] = form == 1 ? 0 : '+';
	}
	/* Shuffle, then duplicate or swap a few tokens. */
	for (i = nr - 1; i > 0; i--) {
		j = test_fuzz_rand(f, i + 1);
		swap(tokens[i], tokens[j]);
		swap(edits[i], edits[j]);
	}
	n = test_fuzz_rand(f, 3);
	for (k = 0; k < n; k++) {
		i = test_fuzz_rand(f, nr);
		j = test_fuzz_rand(f, nr);
		if (test_fuzz_rand(f, 2) && nr < ARRAY_SIZE(tokens)) {
			tokens[nr] = tokens[i];
			edits[nr] = edits[i];
			swap(tokens[nr], tokens[j]);
			swap(edits[nr], edits[j]);
			nr++;
		} else {
			swap(tokens[i], tokens[j]);
			swap(edits[i], edits[j]);
		}
	}

	f->len = 0;
	if (test_fuzz_rand(f, 4) == 0)
		test_fuzz_add_space(f);
	for (i = 0; i < nr; i++) {
		if (i)
			test_fuzz_add_space(f);
		if (edits[i])
			test_fuzz_addc(f, edits[i]);
		test_fuzz_add(f, tokens[i]);
	}
	if (test_fuzz_rand(f, 2))
		test_fuzz_addc(f, '\n');

	/* Zero to three byte mutations. */
	n = test_fuzz_rand(f, 4);
	for (k = 0; k < n; k++) {
		pos = test_fuzz_rand(f, f->len + 1);
		switch (test_fuzz_rand(f, 3)) {
		case 0:		/* insert a piece */
			if (f->len == TEST_FUZZ_MAX_LEN)
				break;
			i = f->len;
			test_fuzz_add_piece(f);
			if (f->len > i && pos < i) {
				char tail[TEST_FUZZ_MAX_LEN];

				memcpy(tail, f->in + i, f->len - i);
				memmove(f->in + pos + f->len - i, f->in + pos,
					i - pos);
				memcpy(f->in + pos, tail, f->len - i);
			}
			break;
		case 1:		/* delete a byte */
			if (pos == f->len)
				break;
			memmove(f->in + pos, f->in + pos + 1,
				f->len - pos - 1);
			f->len--;
			break;
		default:	/* replace a byte */
			if (pos < f->len)
				f->in[pos] = test_fuzz_byte(f);
			break;
		}
	}
}

/* Report @rule broken for the current input unless @held; return @held. */
static bool test_fuzz_check(struct kunit *test, struct test_fuzz *f,
			    bool held, const char *rule)
{
	KUNIT_EXPECT_TRUE_MSG(test, held, "%s: input %u \"%*pE\"%s", rule,
			      f->n, (int)min_t(size_t, f->len, 100), f->in,
			      f->len > 100 ? "..." : "");
	if (!held)
		f->failures++;
	return held;
}

static bool test_same_setting(const struct cpufeat_setting *a,
			      const struct cpufeat_setting *b)
{
	return a->max == b->max &&
	       (a->max || bitmap_equal(a->allowed, b->allowed,
				       CPUFEAT_NR_FEATURES));
}

/* "max", or some but not all of the test table's features. */
static bool test_valid_setting(const struct cpufeat_setting *s)
{
	DECLARE_BITMAP(known, CPUFEAT_NR_FEATURES);

	if (s->max)
		return true;
	cpufeat_known(&test_table, known);
	return !bitmap_empty(s->allowed, CPUFEAT_NR_FEATURES) &&
	       bitmap_subset(s->allowed, known, CPUFEAT_NR_FEATURES) &&
	       !bitmap_equal(s->allowed, known, CPUFEAT_NR_FEATURES);
}

/* Print @s into f->out as cpufeat.hwcap reads it; false if it overflows. */
static bool test_fuzz_print(struct test_fuzz *f,
			    const struct cpufeat_setting *s)
{
	struct seq_file m = { .buf = f->out, .size = sizeof(f->out) };

	if (s->max)
		seq_puts(&m, "max\n");
	else
		cpufeat_print(&m, &test_table, s->allowed);
	if (seq_has_overflowed(&m) || m.count >= sizeof(f->out))
		return false;
	f->out[m.count] = '\0';
	return true;
}

/*
 * Parse the input from @start: return 1 if accepted, 0 if rejected and
 * -1 if that broke a rule.
 */
static int test_fuzz_one(struct kunit *test, struct test_fuzz *f,
			 const struct cpufeat_setting *start)
{
	struct cpufeat_setting s = *start, again = *start;
	int ret;

	memcpy(f->buf, f->in, f->len);
	f->buf[f->len] = '\0';
	ret = cpufeat_parse(&test_table, f->buf, &s);
	if (ret) {
		if (!test_fuzz_check(test, f, ret == -EINVAL, "not -EINVAL") ||
		    !test_fuzz_check(test, f,
				     s.max == start->max &&
				     bitmap_equal(s.allowed, start->allowed,
						  CPUFEAT_NR_FEATURES),
				     "rejected, setting changed"))
			return -1;
		return 0;
	}

	if (!test_fuzz_check(test, f, test_valid_setting(&s),
			     "accepted, bad setting") ||
	    !test_fuzz_check(test, f, test_fuzz_print(f, &s),
			     "accepted, reading overflows"))
		return -1;
	if (!test_fuzz_check(test, f,
			     !cpufeat_parse(&test_table, f->out, &again),
			     "accepted, reading rejected") ||
	    !test_fuzz_check(test, f, test_same_setting(&s, &again),
			     "accepted, reading parses differently"))
		return -1;
	return 1;
}

static void cpufeat_test_fuzz(struct kunit *test)
{
	struct cpufeat_setting starts[ARRAY_SIZE(test_fuzz_starts)];
	unsigned int accepted[2] = {}, rejected[2] = {};
	struct test_fuzz *f;
	unsigned int i, kind;
	int ret;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	for (i = 0; i < ARRAY_SIZE(starts); i++)
		test_setting(test, test_fuzz_starts[i], &starts[i]);
	test_fuzz_init(test, f);

	for (f->n = 0; f->n < TEST_FUZZ_INPUTS; f->n++) {
		kind = f->n & 1;
		if (kind)
			test_fuzz_mutated(f);
		else
			test_fuzz_random(f);
		ret = test_fuzz_one(test, f,
				    &starts[f->n / 2 % ARRAY_SIZE(starts)]);
		if (ret > 0)
			accepted[kind]++;
		else if (!ret)
			rejected[kind]++;
		if (f->failures >= TEST_FUZZ_MAX_FAILURES) {
			f->n++;
			kunit_info(test, "fuzz: stopped after %u failures\n",
				   f->failures);
			break;
		}
		if (!(f->n % 4096))
			cond_resched();
	}
	kunit_info(test,
		   "fuzz: %u inputs, %u accepted, %u rejected (random %u/%u, mutated %u/%u accepted)\n",
		   f->n, accepted[0] + accepted[1], rejected[0] + rejected[1],
		   accepted[0], accepted[0] + rejected[0],
		   accepted[1], accepted[1] + rejected[1]);
}

static void cpufeat_test_names_only(struct kunit *test)
{
	unsigned long known[BITS_TO_LONGS(CPUFEAT_NR_FEATURES)];

	cpufeat_known(&test_table, known);
	KUNIT_EXPECT_FALSE(test, test_bit(T_GAP, known));
	KUNIT_EXPECT_EQ(test, bitmap_weight(known, T_NR), T_NR - 1);
	KUNIT_EXPECT_EQ(test, cpufeat_find(&test_table, "sse2"), T_SSE2);
	KUNIT_EXPECT_LT(test, cpufeat_find(&test_table, ""), 0);
	KUNIT_EXPECT_LT(test, cpufeat_find(&test_table, "sse3"), 0);
}

/* Hiding a feature hides everything that needs it, transitively. */
static void cpufeat_test_closure(struct kunit *test)
{
	DECLARE_BITMAP(set, CPUFEAT_NR_FEATURES);
	struct cpufeat_setting s;

	test_setting(test, "-sse", &s);
	bitmap_copy(set, s.allowed, CPUFEAT_NR_FEATURES);
	cpufeat_close(&test_table, set);
	KUNIT_EXPECT_STREQ(test, test_print(test, set), "fpu\n");

	test_setting(test, "-avx", &s);
	bitmap_copy(set, s.allowed, CPUFEAT_NR_FEATURES);
	cpufeat_close(&test_table, set);
	KUNIT_EXPECT_STREQ(test, test_print(test, set), "fpu sse sse2 aes pac\n");

	/* Closing twice changes nothing. */
	cpufeat_close(&test_table, set);
	KUNIT_EXPECT_STREQ(test, test_print(test, set), "fpu sse sse2 aes pac\n");
}

struct cpufeat_hier_case {
	const char *machine;
	const char *settings[3];	/* root's child, grandchild, ... */
	const char *effective[3];
};

static const struct cpufeat_hier_case hier_cases[] = {
	{ "max", { "max", "max", "max" },
	  { "fpu sse sse2 avx avx2 aes pac\n", "fpu sse sse2 avx avx2 aes pac\n",
	    "fpu sse sse2 avx avx2 aes pac\n" } },
	/* A child never sees more than its parent. */
	{ "max", { "-avx", "max", "+avx" },
	  { "fpu sse sse2 aes pac\n", "fpu sse sse2 aes pac\n",
	    "fpu sse sse2 aes pac\n" } },
	{ "max", { "fpu sse sse2 avx", "avx2 avx sse2 sse fpu", "-avx" },
	  { "fpu sse sse2 avx\n", "fpu sse sse2 avx\n", "fpu sse sse2\n" } },
	/* Names the machine lacks are allowed but never effective. */
	{ "fpu sse sse2 aes", { "max", "fpu sse sse2 avx avx2", "max" },
	  { "fpu sse sse2 aes\n", "fpu sse sse2\n", "fpu sse sse2\n" } },
	/* Allowing a feature without what it needs allows nothing of it. */
	{ "max", { "fpu avx avx2 aes pac", "max", "pac" },
	  { "fpu\n", "fpu\n", "\n" } },
};

static void cpufeat_hier_case_desc(const struct cpufeat_hier_case *c,
				   char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s / %s / %s on %s",
		 c->settings[0], c->settings[1], c->settings[2], c->machine);
}

KUNIT_ARRAY_PARAM(cpufeat_hier, hier_cases, cpufeat_hier_case_desc);

static void cpufeat_test_hierarchy(struct kunit *test)
{
	const struct cpufeat_hier_case *c = test->param_value;
	DECLARE_BITMAP(parent, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(eff, CPUFEAT_NR_FEATURES);
	struct cpufeat_setting s;
	int level;

	test_setting(test, c->machine, &s);
	cpufeat_known(&test_table, parent);
	if (!s.max)
		bitmap_copy(parent, s.allowed, CPUFEAT_NR_FEATURES);
	cpufeat_close(&test_table, parent);

	for (level = 0; level < ARRAY_SIZE(c->settings); level++) {
		test_setting(test, c->settings[level], &s);
		cpufeat_effective(&test_table, parent, &s, eff);
		KUNIT_EXPECT_STREQ_MSG(test, test_print(test, eff),
				       c->effective[level], "level %d", level);
		KUNIT_EXPECT_TRUE(test, bitmap_subset(eff, parent,
						      CPUFEAT_NR_FEATURES));
		bitmap_copy(parent, eff, CPUFEAT_NR_FEATURES);
	}
}

/* Programs that gain privilege keep pac, and what pac needs. */
static void cpufeat_test_secure(struct kunit *test)
{
	DECLARE_BITMAP(machine, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(visible, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(secure, CPUFEAT_NR_FEATURES);
	struct cpufeat_setting s;

	cpufeat_known(&test_table, machine);
	test_setting(test, "fpu sse", &s);
	cpufeat_effective(&test_table, machine, &s, visible);
	cpufeat_secure(&test_table, machine, visible, secure);
	KUNIT_EXPECT_STREQ(test, test_print(test, secure),
			   "fpu sse sse2 aes pac\n");

	/* Nothing is added that the machine lacks. */
	__clear_bit(T_PAC, machine);
	cpufeat_secure(&test_table, machine, visible, secure);
	KUNIT_EXPECT_STREQ(test, test_print(test, secure), "fpu sse\n");
}

/*
 * Whether an execve() gains privilege, the question that picks the secure
 * view: ids are small numbers, "groups" a list ended by 0, caps the
 * permitted set.
 */
struct cpufeat_priv_case {
	const char *desc;
	unsigned int uid, euid, suid, gid, egid, sgid, groups[3];
	u64 caps;
	unsigned int new_euid, new_egid;
	u64 new_caps;
	enum { NS_INIT, NS_ROOTS, NS_USERS, NS_ROOTS_IN_USERS } ns;
	bool gains;
};

/* User 1000 with supplementary group 2000, saved ids @suid and @sgid. */
#define USER(saved_uid, saved_gid)				\
	.uid = 1000, .euid = 1000, .suid = (saved_uid),		\
	.gid = 1000, .egid = 1000, .sgid = (saved_gid),		\
	.groups = { 1000, 2000 }
#define PRIV_USER	USER(1000, 1000)

static const struct cpufeat_priv_case priv_cases[] = {
	{ "nothing changes", PRIV_USER, .new_euid = 1000, .new_egid = 1000 },
	{ "set-group-ID, one of the user's groups", PRIV_USER,
	  .new_euid = 1000, .new_egid = 2000 },
	{ "set-group-ID, another group", PRIV_USER,
	  .new_euid = 1000, .new_egid = 3000, .gains = true },
	{ "set-group-ID, the saved gid", USER(1000, 3000),
	  .new_euid = 1000, .new_egid = 3000 },
	{ "set-user-ID, the user's own uid", PRIV_USER,
	  .new_euid = 1000, .new_egid = 1000 },
	{ "set-user-ID root", PRIV_USER, .new_euid = 0, .new_egid = 1000,
	  .new_caps = CAP_VALID_MASK, .gains = true },
	{ "set-user-ID, the saved uid", USER(0, 1000),
	  .new_euid = 0, .new_egid = 1000 },
	{ "file capabilities", PRIV_USER, .new_euid = 1000, .new_egid = 1000,
	  .new_caps = BIT_ULL(CAP_NET_RAW), .gains = true },
	{ "capabilities kept", PRIV_USER, .caps = BIT_ULL(CAP_NET_RAW),
	  .new_euid = 1000, .new_egid = 1000,
	  .new_caps = BIT_ULL(CAP_NET_RAW) },
	{ "root runs set-user-ID nobody", .caps = CAP_VALID_MASK,
	  .new_euid = 65534, .new_egid = 65534, .new_caps = CAP_VALID_MASK },
	{ "set-user-ID root, namespace of root", PRIV_USER, .ns = NS_ROOTS,
	  .new_euid = 0, .new_egid = 1000, .new_caps = CAP_VALID_MASK,
	  .gains = true },
	{ "set-user-ID, namespace of a user", PRIV_USER, .ns = NS_USERS,
	  .new_euid = 0, .new_egid = 1000, .new_caps = CAP_VALID_MASK },
	{ "file capabilities, namespace of a user", PRIV_USER, .ns = NS_USERS,
	  .new_euid = 1000, .new_egid = 1000,
	  .new_caps = BIT_ULL(CAP_NET_RAW) },
	{ "set-group-ID, below a namespace of a user", PRIV_USER,
	  .ns = NS_ROOTS_IN_USERS, .new_euid = 1000, .new_egid = 3000 },
};

static void cpufeat_priv_case_desc(const struct cpufeat_priv_case *c,
				   char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cpufeat_priv, priv_cases, cpufeat_priv_case_desc);

static void test_put_group_info(void *data)
{
	struct group_info *gi = data;

	put_group_info(gi);
}

/* A user namespace below @parent, owned by @owner. */
static struct user_namespace *test_user_ns(struct kunit *test,
					   struct user_namespace *parent,
					   unsigned int owner)
{
	struct user_namespace *ns = kunit_kzalloc(test, sizeof(*ns),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ns);
	ns->parent = parent;
	ns->owner = KUIDT_INIT(owner);
	return ns;
}

static void cpufeat_test_gains_privilege(struct kunit *test)
{
	const struct cpufeat_priv_case *c = test->param_value;
	struct cred *old = kunit_kzalloc(test, sizeof(*old), GFP_KERNEL);
	struct cred *new = kunit_kzalloc(test, sizeof(*new), GFP_KERNEL);
	struct user_namespace *ns = &init_user_ns;
	unsigned int i, n = 0;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, old);
	KUNIT_ASSERT_NOT_NULL(test, new);
	if (c->ns == NS_ROOTS)
		ns = test_user_ns(test, ns, 0);
	if (c->ns == NS_USERS || c->ns == NS_ROOTS_IN_USERS)
		ns = test_user_ns(test, ns, 1000);
	if (c->ns == NS_ROOTS_IN_USERS)
		ns = test_user_ns(test, ns, 0);

	while (n < ARRAY_SIZE(c->groups) && c->groups[n])
		n++;
	old->group_info = groups_alloc(n);
	KUNIT_ASSERT_NOT_NULL(test, old->group_info);
	ret = kunit_add_action_or_reset(test, test_put_group_info,
					old->group_info);
	KUNIT_ASSERT_EQ(test, ret, 0);
	for (i = 0; i < n; i++)
		old->group_info->gid[i] = KGIDT_INIT(c->groups[i]);
	groups_sort(old->group_info);

	old->uid = KUIDT_INIT(c->uid);
	old->euid = KUIDT_INIT(c->euid);
	old->suid = KUIDT_INIT(c->suid);
	old->gid = KGIDT_INIT(c->gid);
	old->egid = KGIDT_INIT(c->egid);
	old->sgid = KGIDT_INIT(c->sgid);
	old->cap_permitted.val = c->caps;
	old->user_ns = ns;

	*new = *old;
	new->euid = KUIDT_INIT(c->new_euid);
	new->egid = KGIDT_INIT(c->new_egid);
	new->cap_permitted.val = c->new_caps;

	KUNIT_EXPECT_EQ(test, cpufeat_gains_privilege(old, new), c->gains);
}

/*
 * Two sets below @set, each without a feature (and what needs it) that
 * the other keeps, so that neither contains the other.
 */
static bool test_two_sets(const unsigned long *set, unsigned long *a,
			  unsigned long *b)
{
	unsigned int f1 = find_last_bit(set, CPUFEAT_NR_FEATURES), f2;

	bitmap_copy(a, set, CPUFEAT_NR_FEATURES);
	__clear_bit(f1, a);
	cpufeat_close(cpufeat_table, a);
	for_each_set_bit(f2, a, CPUFEAT_NR_FEATURES) {
		bitmap_copy(b, set, CPUFEAT_NR_FEATURES);
		__clear_bit(f2, b);
		cpufeat_close(cpufeat_table, b);
		if (test_bit(f1, b))
			return true;
	}
	return false;
}

/* A setting that allows exactly @set. */
static void test_setting_of(const unsigned long *set,
			    struct cpufeat_setting *s)
{
	memset(s, 0, sizeof(*s));
	bitmap_copy(s->allowed, set, CPUFEAT_NR_FEATURES);
}

/* Drop a reference that cpufeat_view_for() returned. */
static void test_view_put(struct cpufeat_view *view)
{
	if (!IS_ERR(view))
		cpufeat_view_put(view);
}

/*
 * Cgroups with equal effective sets share one view, whatever their parents
 * and settings; different sets have different views; a view's secure
 * variant is the view of its set.
 */
static void cpufeat_test_views_shared(struct kunit *test)
{
	DECLARE_BITMAP(a, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(b, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(ab, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(secure, CPUFEAT_NR_FEATURES);
	struct cpufeat_view *va, *va2, *vb, *vab, *vab2, *vsec;
	struct cpufeat_setting sa, sb, sab, ssec;

	KUNIT_ASSERT_NOT_NULL(test, cpufeat_table);
	if (!test_two_sets(cpufeat_machine, a, b))
		kunit_skip(test, "no two features to hide apart");
	bitmap_and(ab, a, b, CPUFEAT_NR_FEATURES);
	cpufeat_secure(cpufeat_table, cpufeat_machine, a, secure);
	test_setting_of(a, &sa);
	test_setting_of(b, &sb);
	test_setting_of(ab, &sab);
	test_setting_of(secure, &ssec);

	mutex_lock(&cpufeat_mutex);
	va = cpufeat_view_for(&sa, NULL);
	va2 = cpufeat_view_for(&sa, NULL);
	vb = cpufeat_view_for(&sb, NULL);
	/* a & b: below b with setting a, and below the root with a & b. */
	vab = IS_ERR(vb) ? vb : cpufeat_view_for(&sa, vb);
	vab2 = cpufeat_view_for(&sab, NULL);
	vsec = cpufeat_view_for(&ssec, NULL);
	mutex_unlock(&cpufeat_mutex);

	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(va));
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(vb));
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(vab));
	KUNIT_EXPECT_PTR_EQ(test, va, va2);
	KUNIT_EXPECT_PTR_EQ(test, vab, vab2);
	KUNIT_EXPECT_PTR_NE(test, va, vb);
	KUNIT_EXPECT_PTR_NE(test, va, vab);
	if (!IS_ERR_OR_NULL(va) && !bitmap_equal(secure, cpufeat_machine,
						 CPUFEAT_NR_FEATURES))
		KUNIT_EXPECT_PTR_EQ(test, va->secure, vsec);

	test_view_put(vsec);
	test_view_put(vab2);
	test_view_put(vab);
	test_view_put(vb);
	test_view_put(va2);
	test_view_put(va);
}

/* The architecture's real table. */
static void cpufeat_test_arch_table(struct kunit *test)
{
	const struct cpufeat_table *t = cpufeat_table;
	const struct cpufeat_dep *d;
	DECLARE_BITMAP(closed, CPUFEAT_NR_FEATURES);
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_LE(test, t->nr, CPUFEAT_NR_FEATURES);
	for (i = 0; i < t->nr; i++) {
		if (!t->names[i])
			continue;
		KUNIT_EXPECT_STRNEQ(test, t->names[i], "");
		KUNIT_EXPECT_STRNEQ(test, t->names[i], "max");
		KUNIT_EXPECT_NULL_MSG(test, strpbrk(t->names[i], " \t\n+-"),
				      "%s", t->names[i]);
		for (j = i + 1; j < t->nr; j++)
			if (t->names[j])
				KUNIT_EXPECT_STRNEQ(test, t->names[i],
						    t->names[j]);
	}
	for (d = t->deps; d < t->deps + t->nr_deps; d++) {
		KUNIT_EXPECT_NOT_NULL(test, t->names[d->feature]);
		KUNIT_EXPECT_NOT_NULL(test, t->names[d->requires]);
	}
	/* The machine's set is non-empty and already closed. */
	KUNIT_EXPECT_FALSE(test, bitmap_empty(cpufeat_machine, t->nr));
	bitmap_copy(closed, cpufeat_machine, CPUFEAT_NR_FEATURES);
	cpufeat_close(t, closed);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(closed, cpufeat_machine,
					     CPUFEAT_NR_FEATURES));
	/* A full write of every name fits in one write. */
	KUNIT_EXPECT_LT(test, strlen(test_print(test, cpufeat_machine)),
			(size_t)CPUFEAT_MAX_WRITE);
}

/* A dependency the architecture must know: @feature needs @requires. */
static void test_expect_dep(struct kunit *test, const char *feature,
			    const char *requires)
{
	const struct cpufeat_table *t = cpufeat_table;
	DECLARE_BITMAP(set, CPUFEAT_NR_FEATURES);
	int f = cpufeat_find(t, feature), r = cpufeat_find(t, requires);

	KUNIT_ASSERT_GE_MSG(test, f, 0, "%s", feature);
	KUNIT_ASSERT_GE_MSG(test, r, 0, "%s", requires);
	cpufeat_known(t, set);
	__clear_bit(r, set);
	cpufeat_close(t, set);
	KUNIT_EXPECT_FALSE_MSG(test, test_bit(f, set),
			       "hiding %s keeps %s", requires, feature);
}

/* AT_HWCAP* bits of hidden features are cleared, and only those. */
static void test_expect_hwcap(struct kunit *test, const char *feature,
			      unsigned int type, unsigned long bit)
{
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	int f = cpufeat_find(cpufeat_table, feature);

	KUNIT_ASSERT_GE_MSG(test, f, 0, "%s", feature);
	bitmap_zero(hidden, CPUFEAT_NR_FEATURES);
	KUNIT_EXPECT_EQ(test, cpufeat_arch_hwcap(hidden, type, ~0UL, false),
			~0UL);
	__set_bit(f, hidden);
	KUNIT_EXPECT_EQ_MSG(test, cpufeat_arch_hwcap(hidden, type, ~0UL, false),
			    ~bit, "%s", feature);
	KUNIT_EXPECT_EQ(test, cpufeat_arch_hwcap(hidden, type, bit, false), 0UL);
}

static void cpufeat_test_arch_deps(struct kunit *test)
{
	KUNIT_ASSERT_NOT_NULL(test, cpufeat_table);
#ifdef CONFIG_X86
	test_expect_dep(test, "sse", "fxsr");
	test_expect_dep(test, "avx2", "avx");
	test_expect_dep(test, "avx512f", "avx");
	test_expect_dep(test, "xsaveopt", "xsave");
#endif
#ifdef CONFIG_ARM64
	test_expect_dep(test, "pmull", "aes");
	test_expect_dep(test, "sha512", "sha2");
	test_expect_dep(test, "ilrcpc", "lrcpc");
	test_expect_dep(test, "sve2", "sve");
	test_expect_dep(test, "svef64mm", "sve");
	test_expect_dep(test, "sveaes", "sve2");
	test_expect_dep(test, "asimd", "fp");
	test_expect_dep(test, "fp", "asimd");
	test_expect_dep(test, "pacg", "paca");
#endif
}

static void cpufeat_test_arch_hwcap(struct kunit *test)
{
	KUNIT_ASSERT_NOT_NULL(test, cpufeat_table);
#ifdef CONFIG_X86
	test_expect_hwcap(test, "fpu", AT_HWCAP, BIT(0));
	test_expect_hwcap(test, "fxsr", AT_HWCAP, BIT(24));
	test_expect_hwcap(test, "pbe", AT_HWCAP, BIT(31));
	test_expect_hwcap(test, "fsgsbase", AT_HWCAP2, HWCAP2_FSGSBASE);
#endif
#ifdef CONFIG_ARM64
	test_expect_hwcap(test, "fp", AT_HWCAP, HWCAP_FP);
	test_expect_hwcap(test, "aes", AT_HWCAP, HWCAP_AES);
	test_expect_hwcap(test, "pacg", AT_HWCAP, HWCAP_PACG);
	test_expect_hwcap(test, "dcpodp", AT_HWCAP2, HWCAP2_DCPODP);
	test_expect_hwcap(test, "bti", AT_HWCAP2, HWCAP2_BTI);
#endif
}

static struct kunit_case cpufeat_test_cases[] = {
	KUNIT_CASE_PARAM(cpufeat_test_parse_accepted, cpufeat_accepted_gen_params),
	KUNIT_CASE_PARAM(cpufeat_test_parse_rejected, cpufeat_rejected_gen_params),
	KUNIT_CASE(cpufeat_test_round_trip),
	KUNIT_CASE(cpufeat_test_fuzz),
	KUNIT_CASE(cpufeat_test_names_only),
	KUNIT_CASE(cpufeat_test_closure),
	KUNIT_CASE_PARAM(cpufeat_test_hierarchy, cpufeat_hier_gen_params),
	KUNIT_CASE(cpufeat_test_secure),
	KUNIT_CASE_PARAM(cpufeat_test_gains_privilege, cpufeat_priv_gen_params),
	KUNIT_CASE(cpufeat_test_views_shared),
	KUNIT_CASE(cpufeat_test_arch_table),
	KUNIT_CASE(cpufeat_test_arch_deps),
	KUNIT_CASE(cpufeat_test_arch_hwcap),
	{}
};

static struct kunit_suite cpufeat_test_suite = {
	.name = "cpufeat",
	.test_cases = cpufeat_test_cases,
};

kunit_test_suite(cpufeat_test_suite);
