// SPDX-License-Identifier: GPL-2.0
/*
 * test_cpufeat and cpufeat_probe on an architecture without a cpufeat file
 * of its own: no names, no tests of its own, and the generic tests that
 * need the architecture's features skip.
 */
#include "cpufeat_util.h"

static const char * const none[] = { NULL };

const struct cpufeat_arch cpufeat_arch = {
	.cpuinfo_key = "flags",
	.hide_set = none,
	.independent = none,
	.protected_set = none,
	.wide_hide_set = none,
};
