// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat: a small JSON writer (for --json) and parser (for the node lists
 * of "kubectl get nodes -o json"), RFC 8259.  No system access: tests/unit.c
 * tests both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpufeat.h"

/* Writer */

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void jw_string_raw(struct jw *w, const char *s)
{
	const unsigned char *p;

	fputc('"', w->f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(w->f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", w->f);
		else if (*p == '\t')
			fputs("\\t", w->f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(w->f, "\\u%04x", *p);
		else
			fputc(*p, w->f);
	}
	fputc('"', w->f);
}

/* The separator and key before a value; @key NULL inside an array. */
static void jw_key(struct jw *w, const char *key)
{
	if (w->depth && w->depth <= JW_MAX_DEPTH && w->count[w->depth - 1]++)
		fputc(',', w->f);
	if (key) {
		jw_string_raw(w, key);
		fputc(':', w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	fputc(c, w->f);
	if (w->depth < JW_MAX_DEPTH)
		w->count[w->depth] = 0;
	w->depth++;
}

void jw_object(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void jw_array(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}

/* Close the innermost object or array; at the outermost, end the line. */
void jw_end(struct jw *w, char c)
{
	fputc(c, w->f);
	w->depth--;
	if (!w->depth)
		fputc('\n', w->f);
}

void jw_str(struct jw *w, const char *key, const char *val)
{
	jw_key(w, key);
	if (val)
		jw_string_raw(w, val);
	else
		fputs("null", w->f);
}

void jw_int(struct jw *w, const char *key, long long val)
{
	jw_key(w, key);
	fprintf(w->f, "%lld", val);
}

void jw_bool(struct jw *w, const char *key, bool val)
{
	jw_key(w, key);
	fputs(val ? "true" : "false", w->f);
}

/* A feature set as an array of strings. */
void jw_names(struct jw *w, const char *key, const struct featset *fs)
{
	size_t i;

	jw_array(w, key);
	for (i = 0; i < fs->nr; i++)
		jw_str(w, NULL, fs->names[i]);
	jw_end(w, ']');
}

/* Parser: a whole document into a tree of struct jv. */

struct jparse {
	const char *start, *p, *end;
	int depth;
	char *err;
};

static void jp_error(struct jparse *j, const char *what)
{
	if (!*j->err)
		snprintf(j->err, ERRLEN, "%s at byte %zu", what,
			 (size_t)(j->p - j->start));
}

static void jp_space(struct jparse *j)
{
	while (j->p < j->end && *j->p && strchr(" \t\n\r", *j->p))
		j->p++;
}

static struct jv *jv_new(enum jv_type type)
{
	struct jv *v = xrealloc(NULL, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->type = type;
	return v;
}

static void jv_append(struct jv *parent, struct jv *child, char *key)
{
	if (parent->nr == parent->alloc) {
		parent->alloc = parent->alloc ? 2 * parent->alloc : 4;
		parent->items = xrealloc(parent->items,
					 parent->alloc * sizeof(*parent->items));
		parent->keys = xrealloc(parent->keys,
					parent->alloc * sizeof(*parent->keys));
	}
	parent->items[parent->nr] = child;
	parent->keys[parent->nr] = key;
	parent->nr++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool jp_hex4(struct jparse *j, uint32_t *cp)
{
	int i, h;

	*cp = 0;
	if (j->end - j->p < 4)
		return false;
	for (i = 0; i < 4; i++) {
		h = hexval(j->p[i]);
		if (h < 0)
			return false;
		*cp = *cp << 4 | h;
	}
	j->p += 4;
	return true;
}

/* Append code point @cp to @out as UTF-8; @out has room for 4 bytes. */
static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * The escapes of RFC 8259 other than \u, in pairs: the letter after the
 * backslash, the character it stands for.
 */
static const char json_escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";

/* The character that a backslash and @letter stand for, or 0. */
static char json_unescape(unsigned char letter)
{
	size_t i;

	for (i = 0; json_escapes[i]; i += 2)
		if ((unsigned char)json_escapes[i] == letter)
			return json_escapes[i + 1];
	return 0;
}

/* A string at j->p (the opening quote), unescaped; NULL on error. */
static char *jp_string(struct jparse *j)
{
	size_t len = 0, alloc = 16;
	char *s = xrealloc(NULL, alloc);
	uint32_t cp, lo;
	unsigned char c;
	char esc;

	j->p++;
	for (;;) {
		if (len + 5 > alloc) {
			alloc *= 2;
			s = xrealloc(s, alloc);
		}
		if (j->p >= j->end)
			goto bad;
		c = *j->p++;
		if (c == '"')
			break;
		if (c < 0x20) {
			jp_error(j, "control character in a string");
			goto fail;
		}
		if (c != '\\') {
			s[len++] = c;
			continue;
		}
		if (j->p >= j->end)
			goto bad;
		c = *j->p++;
		esc = json_unescape(c);
		if (esc) {
			s[len++] = esc;
			continue;
		}
		switch (c) {
		case 'u':
			if (!jp_hex4(j, &cp))
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (j->end - j->p < 6 || j->p[0] != '\\' ||
				    j->p[1] != 'u')
					goto bad;
				j->p += 2;
				if (!jp_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				goto bad;
			}
			if (!cp)
				goto bad;	/* no NUL inside C strings */
			len += utf8_put(s + len, cp);
			break;
		default:
			goto bad;
		}
	}
	s[len] = '\0';
	return s;
bad:
	jp_error(j, "bad string");
fail:
	free(s);
	return NULL;
}

static bool jp_literal(struct jparse *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || strncmp(j->p, word, n))
		return false;
	j->p += n;
	return true;
}

static bool jp_number(struct jparse *j, double *out)
{
	const char *s = j->p;
	char buf[64];

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (j->p < j->end && *j->p >= '1' && *j->p <= '9')
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if ((size_t)(j->p - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, j->p - s);
	buf[j->p - s] = '\0';
	*out = strtod(buf, NULL);
	return true;
}

static struct jv *jp_value(struct jparse *j);

static struct jv *jp_container(struct jparse *j, bool object)
{
	struct jv *v = jv_new(object ? JV_OBJECT : JV_ARRAY), *item;
	char close = object ? '}' : ']';
	char *key = NULL;

	if (++j->depth > JSON_MAX_DEPTH) {
		jp_error(j, "nested too deeply");
		goto fail;
	}
	j->p++;
	jp_space(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return v;
	}
	for (;;) {
		jp_space(j);
		if (object) {
			if (j->p >= j->end || *j->p != '"') {
				jp_error(j, "expected a key");
				goto fail;
			}
			key = jp_string(j);
			if (!key)
				goto fail;
			jp_space(j);
			if (j->p >= j->end || *j->p != ':') {
				jp_error(j, "expected ':'");
				goto fail;
			}
			j->p++;
		}
		item = jp_value(j);
		if (!item)
			goto fail;
		jv_append(v, item, key);
		key = NULL;
		jp_space(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			break;
		}
		jp_error(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto fail;
	}
	j->depth--;
	return v;
fail:
	free(key);
	jv_free(v);
	return NULL;
}

static struct jv *jp_value(struct jparse *j)
{
	struct jv *v;
	double num;
	char *s;

	jp_space(j);
	if (j->p >= j->end) {
		jp_error(j, "unexpected end");
		return NULL;
	}
	switch (*j->p) {
	case '{':
		return jp_container(j, true);
	case '[':
		return jp_container(j, false);
	case '"':
		s = jp_string(j);
		if (!s)
			return NULL;
		v = jv_new(JV_STRING);
		v->str = s;
		return v;
	}
	if (jp_literal(j, "true") || jp_literal(j, "false")) {
		v = jv_new(JV_BOOL);
		v->boolean = j->p[-1] == 'e' && j->p[-2] == 'u';
		return v;
	}
	if (jp_literal(j, "null"))
		return jv_new(JV_NULL);
	if (jp_number(j, &num)) {
		v = jv_new(JV_NUMBER);
		v->number = num;
		return v;
	}
	jp_error(j, "unexpected character");
	return NULL;
}

/*
 * Parse the JSON document @text (NUL-terminated); NULL with a message in
 * @err if it is not one.
 */
struct jv *json_parse(const char *text, char *err)
{
	struct jparse j = { text, text, text + strlen(text), 0, err };
	struct jv *v;

	*err = '\0';
	v = jp_value(&j);
	if (!v)
		return NULL;
	jp_space(&j);
	if (j.p != j.end) {
		jp_error(&j, "text after the document");
		jv_free(v);
		return NULL;
	}
	return v;
}

void jv_free(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nr; i++) {
		jv_free(v->items[i]);
		free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

/* Member @key of object @v (the last one if repeated), or NULL. */
const struct jv *jv_get(const struct jv *v, const char *key)
{
	size_t i;

	if (!v || v->type != JV_OBJECT)
		return NULL;
	for (i = v->nr; i-- > 0;)
		if (!strcmp(v->keys[i], key))
			return v->items[i];
	return NULL;
}

/* The string @v, or NULL if it is none. */
const char *jv_str(const struct jv *v)
{
	return v && v->type == JV_STRING ? v->str : NULL;
}
