/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text and JSON output helpers.
 */
#ifndef TCPCLOSE_OUTPUT_H
#define TCPCLOSE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct out_field {
	const char *key;
	const char *value;
	/* JSON: emit value unquoted (a number, true, false or null) */
	bool literal;
};

/* Print @s as a JSON string: quoted, escaped, always valid UTF-8. */
void json_print_string(FILE *f, const char *s);

/*
 * Print fields as aligned "key value" lines (literal values right-aligned)
 * or, with @json, as one JSON object on one line. Keeps the order given.
 */
void out_print(FILE *f, bool json, const struct out_field *fields, size_t n);

/*
 * A JSON writer, all on one line. @key is NULL for the elements of an
 * array and for the outermost value.
 */
#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	unsigned int depth;
	bool comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
/* @bracket: '{' or '[' to open, '}' or ']' to close. */
void json_open(struct json *j, const char *key, char bracket);
void json_close(struct json *j, char bracket);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_str(struct json *j, const char *key, const char *s);
void json_bool(struct json *j, const char *key, bool v);

/*
 * A table printed in aligned, left-justified columns two spaces apart, as
 * ss(8) does; the last column is not padded. The first row is the header.
 */
#define TABLE_MAX_COLS 16

struct table {
	unsigned int ncols;
	size_t nrows;
	size_t cap;
	char **cells;
};

int table_init(struct table *t, const char *const *header, unsigned int ncols);
/* Add a row of t->ncols cells (copied). 0 or -ENOMEM. */
int table_add(struct table *t, const char *const *row);
void table_print(FILE *f, const struct table *t);
void table_free(struct table *t);

#endif
