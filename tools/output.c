// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output helpers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/*
 * Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if it is ill-formed.
 * The terminating NUL is never a continuation byte, so this never reads
 * past the end of the string.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;

	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;

	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

static void json_print_char(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\b':
		fputs("\\b", f);
		break;
	case '\f':
		fputs("\\f", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

void json_print_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	fputc('"', f);
	while (*s) {
		len = utf8_len(s);
		if (len == 1) {
			json_print_char(f, *s);
		} else if (len) {
			fwrite(s, 1, len, f);
		} else {
			/* Not UTF-8: emit U+FFFD REPLACEMENT CHARACTER. */
			fputs("\\ufffd", f);
			len = 1;
		}
		s += len;
	}
	fputc('"', f);
}

static void print_json(FILE *f, const struct out_field *fields, size_t n)
{
	size_t i;

	fputc('{', f);
	for (i = 0; i < n && !ferror(f); i++) {
		if (i)
			fputc(',', f);
		json_print_string(f, fields[i].key);
		fputc(':', f);
		if (fields[i].literal)
			fputs(fields[i].value, f);
		else
			json_print_string(f, fields[i].value);
	}
	fputs("}\n", f);
}

static void print_text(FILE *f, const struct out_field *fields, size_t n)
{
	int key_width = 0, value_width = 0, len;
	size_t i;

	for (i = 0; i < n; i++) {
		len = (int)strlen(fields[i].key);
		if (len > key_width)
			key_width = len;
		len = (int)strlen(fields[i].value);
		if (fields[i].literal && len > value_width)
			value_width = len;
	}

	for (i = 0; i < n && !ferror(f); i++)
		fprintf(f, "%-*s  %*s\n", key_width, fields[i].key,
			fields[i].literal ? value_width : 0, fields[i].value);
}

void out_print(FILE *f, bool json, const struct out_field *fields, size_t n)
{
	if (json)
		print_json(f, fields, n);
	else
		print_text(f, fields, n);
}

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->comma[0] = false;
}

/* The comma before a value, and its key if in an object. */
static void json_key(struct json *j, const char *key)
{
	if (j->comma[j->depth])
		fputc(',', j->f);
	j->comma[j->depth] = true;
	if (key) {
		json_print_string(j->f, key);
		fputc(':', j->f);
	}
}

void json_open(struct json *j, const char *key, char bracket)
{
	json_key(j, key);
	fputc(bracket, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->comma[j->depth] = false;
}

void json_close(struct json *j, char bracket)
{
	fputc(bracket, j->f);
	if (j->depth)
		j->depth--;
	if (!j->depth)
		fputc('\n', j->f);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_print_string(j->f, s);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

int table_init(struct table *t, const char *const *header, unsigned int ncols)
{
	if (!ncols || ncols > TABLE_MAX_COLS)
		return -EINVAL;
	t->ncols = ncols;
	t->nrows = 0;
	t->cap = 0;
	t->cells = NULL;
	return table_add(t, header);
}

int table_add(struct table *t, const char *const *row)
{
	size_t base = t->nrows * t->ncols;
	unsigned int i;
	char **cells;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		cells = reallocarray(t->cells, cap * t->ncols, sizeof(*cells));
		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		t->cells[base + i] = strdup(row[i]);
		if (!t->cells[base + i]) {
			while (i--)
				free(t->cells[base + i]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

void table_print(FILE *f, const struct table *t)
{
	int width[TABLE_MAX_COLS] = { 0 };
	unsigned int c;
	size_t r;
	int len;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			len = (int)strlen(t->cells[r * t->ncols + c]);
			if (len > width[c])
				width[c] = len;
		}
	}
	for (r = 0; r < t->nrows && !ferror(f); r++) {
		for (c = 0; c + 1 < t->ncols; c++)
			fprintf(f, "%-*s  ", width[c],
				t->cells[r * t->ncols + c]);
		fprintf(f, "%s\n", t->cells[r * t->ncols + c]);
	}
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
	t->cap = 0;
}
