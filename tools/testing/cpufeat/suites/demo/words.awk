# SPDX-License-Identifier: GPL-2.0
#
# Word-list functions of the demos' awk programs (demo.sh, migrate.sh):
# a feature list is a string of names separated by spaces.

# Words of a that are not in b, in the order of a.
function minus(a, b,    wa, wb, na, nb, i, seen, out) {
	na = split(a, wa, " ")
	nb = split(b, wb, " ")
	for (i = 1; i <= nb; i++)
		seen[wb[i]] = 1
	out = ""
	for (i = 1; i <= na; i++)
		if (!(wa[i] in seen))
			out = out == "" ? wa[i] : out " " wa[i]
	return out
}

# How many words.
function count(text,    w) {
	return split(text, w, " ")
}
