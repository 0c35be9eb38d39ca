#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The cpufeat series: the repository keeps new files at their upstream paths
# and edits to upstream files as patches in patches/, listed in patches/series
# together with the new files each patch adds.  This script turns that into
# commits on top of the pristine base in $BUILD/linux, and back.
#
#   series.sh apply    build/linux = base + series (only changed files are
#                      rewritten, so incremental kernel builds stay cheap)
#   series.sh export   write a git-am-able series with a cover letter to
#                      $BUILD/series, check it with checkpatch --strict and
#                      git am, and print the directory
#   series.sh refresh  the reverse of apply: turn the commits base..HEAD of
#                      build/linux back into patches/ and new files
set -euo pipefail

# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
TREE=$BUILD/linux
SERIES=$TOP/patches/series
TARBALL=${CPUFEAT_BASE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
BRANCH=cpufeat
# Fixed identities and dates make the commits, and so the exported series,
# reproducible.
export GIT_AUTHOR_NAME="cpufeat developers" GIT_AUTHOR_EMAIL="cpufeat@example.org"
export GIT_COMMITTER_NAME="cpufeat developers" GIT_COMMITTER_EMAIL="cpufeat@example.org"
export GIT_AUTHOR_DATE="2026-11-23T00:00:00Z" GIT_COMMITTER_DATE="2026-11-23T00:00:00Z"

git_tree() { git -C "$TREE" -c core.excludesFile=/dev/null "$@"; }

base_version() {
	dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || echo unknown
}

# Extract the package into a git tree tagged "base" (once per base version).
ensure_base() {
	local want
	want=$(base_version)
	if [ -d "$TREE/.git" ] && [ "$(cat "$BUILD/linux.base" 2>/dev/null)" = "$want" ]; then
		return
	fi
	[ -f "$TARBALL" ] || die "$TARBALL is missing: run 'make deps' (installs linux-source-6.12)"
	local dev
	dev=$(sed -n 's/^version=//p' "$TOP/BASE")
	if [ "$want" != "$dev" ]; then
		echo "series.sh: note: base is linux-source-6.12 $want, the series was developed against $dev" >&2
	fi
	msg BASE "linux-source-6.12 $want -> $TREE"
	rm -rf "$TREE" "$BUILD/linux.base"
	mkdir -p "$TREE"
	tar -C "$TREE" --strip-components=1 -xf "$TARBALL"
	git_tree init -q
	# Debian's top-level .gitignore ignores everything: track the whole tree.
	git_tree add -f -A .
	git_tree commit -q -m "Debian linux-source-6.12 $want"
	git_tree tag -f base >/dev/null
	echo "$want" >"$BUILD/linux.base"
}

# Read patches/series: "patch-file [new-file...]" lines, # comments.
series_lines() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SERIES"
}

# Build the series as commits on top of base without touching the work tree.
build_commits() {
	local idx parent patch files msg diff info subject tree commit f
	local author email date
	idx=$(mktemp)
	msg=$(mktemp)
	diff=$(mktemp)
	info=$(mktemp)
	trap 'rm -f "$idx" "$msg" "$diff" "$info"' RETURN
	parent=$(git_tree rev-parse base)
	export GIT_INDEX_FILE=$idx
	git_tree read-tree base
	while read -r patch files; do
		[ -f "$TOP/patches/$patch" ] || die "patches/$patch is listed in patches/series but missing"
		git mailinfo -b "$msg" "$diff" <"$TOP/patches/$patch" >"$info"
		subject=$(sed -n 's/^Subject: //p' "$info")
		[ -n "$subject" ] || die "patches/$patch has no Subject"
		if [ -s "$diff" ]; then
			git_tree apply --cached --whitespace=nowarn "$diff" ||
				die "patches/$patch does not apply to linux-source-6.12 $(base_version)"
		fi
		for f in $files; do
			[ -f "$TOP/$f" ] || die "$f (listed for $patch) is missing"
			git_tree update-index --add --cacheinfo \
				"100$(stat -c %a "$TOP/$f" | sed 's/^7../755/;s/^6../644/')" \
				"$(git_tree hash-object -w "$TOP/$f")" "$f"
		done
		tree=$(git_tree write-tree)
		grep -q '^Signed-off-by: ' "$msg" ||
			printf '\nSigned-off-by: %s <%s>\n' "$GIT_AUTHOR_NAME" \
				"$GIT_AUTHOR_EMAIL" >>"$msg"
		# A patch keeps its author (a backport, its upstream author).
		author=$(sed -n 's/^Author: //p' "$info")
		email=$(sed -n 's/^Email: //p' "$info")
		date=$(sed -n 's/^Date: //p' "$info")
		commit=$( { echo "$subject"; echo; cat "$msg"; } |
			GIT_AUTHOR_NAME=${author:-$GIT_AUTHOR_NAME} \
			GIT_AUTHOR_EMAIL=${email:-$GIT_AUTHOR_EMAIL} \
			GIT_AUTHOR_DATE=${date:-$GIT_AUTHOR_DATE} \
			git_tree commit-tree "$tree" -p "$parent")
		parent=$commit
	done < <(series_lines)
	unset GIT_INDEX_FILE
	echo "$parent"
}

cmd_apply() {
	ensure_base
	local head
	head=$(build_commits)
	if [ "$(git_tree rev-parse -q --verify HEAD)" != "$head" ]; then
		msg SERIES "$(git_tree rev-list --count base.."$head") patches -> $TREE"
		git_tree checkout -q -f -B "$BRANCH" "$head"
	fi
}

cmd_export() {
	cmd_apply
	local out=$BUILD/series cover n=0 bad=0 p wt patches ignore
	rm -rf "$out"
	git_tree format-patch -q --cover-letter --thread=shallow \
		--subject-prefix="RFC PATCH" -o "$out" base.."$BRANCH" >/dev/null
	cover=$(ls "$out"/0000-*.patch)
	python3 - "$cover" "$TOP/patches/cover-letter" <<'EOF'
import sys
path, src = sys.argv[1], sys.argv[2]
text = open(path).read()
subject, _, body = open(src).read().partition("\n\n")
text = text.replace("*** SUBJECT HERE ***", subject.strip())
text = text.replace("*** BLURB HERE ***", body.strip())
open(path, "w").write(text)
EOF
	for p in "$out"/0*.patch; do
		n=$((n + 1))
		[ "$p" = "$cover" ] && continue
		# A backport names its upstream commit ("commit X upstream."),
		# which the base, a source package without upstream's history,
		# does not have: checkpatch cannot look it up.
		ignore=()
		if grep -qE '^commit [0-9a-f]{40} upstream\.$' "$p"; then
			ignore=(--ignore UNKNOWN_COMMIT_ID)
		fi
		# spdxcheck needs python3-ply and python3-git: use the system python.
		if ! (cd "$TREE" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict -q \
			"${ignore[@]}" "$p" >"$p.checkpatch" 2>&1); then
			echo "checkpatch --strict: $(basename "$p"):" >&2
			cat "$p.checkpatch" >&2
			bad=1
		fi
		rm -f "$p.checkpatch"
	done
	# Prove the series applies with git am to the pristine base.
	wt=$BUILD/am-check
	git_tree worktree remove -f "$wt" 2>/dev/null || rm -rf "$wt"
	git_tree worktree add -q --detach "$wt" base
	patches=()
	for p in "$out"/0*.patch; do
		[[ ${p##*/} == 0000-* ]] || patches+=("$p")
	done
	if ! git -C "$wt" am -q "${patches[@]}"; then
		echo "series.sh: git am failed on the pristine base" >&2
		bad=1
	fi
	git_tree worktree remove -f "$wt"
	[ $bad = 0 ] || die "the exported series has problems (see above)"
	echo "$out"
}

# Turn the commits base..HEAD of build/linux back into patches/.
cmd_refresh() {
	local c n=0 name subject new mod f
	[ -e "$TREE/.git" ] || die "no $TREE: run 'make tree' first"
	: >"$SERIES.new"
	rm -f "$TOP"/patches/*.patch.new
	for c in $(git_tree rev-list --reverse base..HEAD); do
		n=$((n + 1))
		subject=$(git_tree log -1 --format=%s "$c")
		name=$(printf '%04d-%s.patch' "$n" "$(echo "$subject" |
			sed 's/[^A-Za-z0-9]\+/-/g;s/^-//;s/-$//' | cut -c1-52 | sed 's/-$//')")
		new=$(git_tree diff-tree --no-commit-id -r --diff-filter=A --name-only "$c" |
			while read -r f; do
				git_tree cat-file -e "base:$f" 2>/dev/null || echo "$f"
			done)
		mod=$(git_tree diff-tree --no-commit-id -r --name-only "$c" |
			grep -vxF -f <(echo "$new") || true)
		for f in $new; do
			mkdir -p "$TOP/$(dirname "$f")"
			git_tree show "$c:$f" >"$TOP/$f"
		done
		if [ -n "$mod" ]; then
			# No commit ids and no blob ids: a patch file changes only
			# when its own change does, not with every earlier patch.
			# shellcheck disable=SC2086 # $mod: one file name a word
			git_tree format-patch -1 --stdout --no-signature --zero-commit "$c" -- $mod |
				sed '/^index [0-9a-f]*\.\.[0-9a-f]*/d' >"$TOP/patches/$name.new"
		else
			git_tree log -1 --format='From: %an <%ae>%nDate: %aD%nSubject: [PATCH] %s%n%n%b' "$c" \
				>"$TOP/patches/$name.new"
		fi
		# shellcheck disable=SC2086 # the new files, a space between
		echo "$name" $new >>"$SERIES.new"
	done
	rm -f "$TOP"/patches/*.patch
	for f in "$TOP"/patches/*.patch.new; do mv "$f" "${f%.new}"; done
	{ sed -n '/^#/p' "$SERIES"; cat "$SERIES.new"; } >"$SERIES.tmp"
	rm -f "$SERIES.new"
	mv "$SERIES.tmp" "$SERIES"
	echo "refreshed $n patches into $TOP/patches"
}

case "${1:-}" in
apply) cmd_apply ;;
export) cmd_export ;;
refresh) cmd_refresh ;;
*) die "usage: series.sh apply|export|refresh" ;;
esac
