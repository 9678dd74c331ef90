// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose version": versions of the tool, of the loaded module and of
 * its netlink family.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nl.h"
#include "output.h"
#include "tcpclose.h"

#define MODULE_DIR	"/sys/module/tcpclose"

struct versions {
	bool loaded;
	char module[64];	/* "" if unknown */
	uint32_t family;	/* 0 if the family is missing */
};

static void read_module_version(struct versions *v)
{
	struct stat st;
	FILE *f;

	v->loaded = !stat(MODULE_DIR, &st) && S_ISDIR(st.st_mode);
	f = fopen(MODULE_DIR "/version", "re");
	if (!f)
		return;
	if (!fgets(v->module, sizeof(v->module), f))
		v->module[0] = '\0';
	v->module[strcspn(v->module, "\n")] = '\0';
	fclose(f);
}

/* Quietly: the version command works without the module. */
static void read_family_version(struct versions *v)
{
	struct nl nl;

	if (nl_open(&nl))
		return;
	v->family = nl.version ? nl.version : 1;
	v->loaded = true;
	nl_close(&nl);
}

static void print_json(const struct versions *v)
{
	struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_str(&j, "version", TCPCLOSE_VERSION);
	json_bool(&j, "module_loaded", v->loaded);
	if (*v->module)
		json_str(&j, "module_version", v->module);
	if (v->family)
		json_u64(&j, "family_version", v->family);
	json_close(&j, '}');
}

static void print_text(const struct versions *v)
{
	printf("%s %s ", PROG_NAME, TCPCLOSE_VERSION);
	if (!v->loaded)
		puts("(module not loaded)");
	else if (*v->module && v->family)
		printf("(module %s, netlink family version %u)\n", v->module,
		       v->family);
	else if (*v->module)
		printf("(module %s, no netlink family)\n", v->module);
	else
		puts("(module loaded, version unknown)");
}

int cmd_version(const struct ctx *ctx, int argc, char *argv[])
{
	struct versions v = { 0 };

	if (argc)
		return usage_error("unexpected argument '%s'", argv[0]);
	if (ctx->netns && netns_enter(ctx->netns))
		return EXIT_FAIL;
	read_module_version(&v);
	read_family_version(&v);
	if (ctx->json)
		print_json(&v);
	else
		print_text(&v);
	return EXIT_OK;
}
