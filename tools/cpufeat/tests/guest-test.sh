#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test of the cpufeat tool against the real controller: every
# subcommand, exit statuses and errors.  Runs as root in the cpufeat test
# guest (busybox sh, cgroup2 on /sys/fs/cgroup, cpufeat and cpufeat_probe in
# /usr/bin), prints TAP and exits 1 if a test failed:
#
#   tools/testing/cpufeat/vm --add tools/cpufeat/tests/guest-test.sh -- sh guest-test.sh
#   tools/testing/cpufeat/vm --arch arm64 --add ... -- sh guest-test.sh

CG=/sys/fs/cgroup
T=/tmp/cpufeat-guest-test
n=0
failed=0
rm -rf $T
mkdir -p $T

pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# expect STATUS DESCRIPTION COMMAND...: stdout in $T/out, stderr in $T/err
expect() {
	want=$1 what=$2
	shift 2
	"$@" >$T/out 2>$T/err
	rc=$?
	if [ "$rc" = "$want" ]; then
		pass "$what (exit $rc)"
		return 0
	fi
	fail "$what (exit $rc, want $want)"
	sed 's/^/# out: /' $T/out
	sed 's/^/# err: /' $T/err
	return 1
}
# check DESCRIPTION COMMAND...
check() {
	what=$1
	shift
	if "$@"; then
		pass "$what"
	else
		fail "$what"
		sed 's/^/# out: /' $T/out
		sed 's/^/# err: /' $T/err
	fi
}
has_word() { echo " $2 " | grep -q " $1 "; }

echo "TAP version 13"
case $(uname -m) in
x86_64)
	arch=x86_64 base=x86-64-v1 cands="avx2 sse4_2 aes pclmulqdq"
	probe_feat=sse2
	;;
aarch64)
	arch=arm64 base=armv8.0-a cands="sha3 sha512 crc32 atomics aes"
	probe_feat=asimd
	;;
*)
	echo "Bail out! unsupported $(uname -m)"
	exit 1
	;;
esac

expect 0 "help" cpufeat help
expect 2 "no command is a usage error" cpufeat
expect 2 "bad option" cpufeat list --bogus

# Reading needs nothing enabled: root reads /proc/1/cpufeat.
expect 0 "list before cpufeat is enabled in the root" cpufeat list
expect 0 "list --save" cpufeat list --save $T/this.feat
mach=$(sed -n 's/^features //p' $T/this.feat)
check "saved file: magic, arch, kernel, features" \
	grep -q "^cpufeat-features 1$" $T/this.feat
check "saved arch is $arch" grep -q "^arch $arch$" $T/this.feat
check "saved kernel is uname -r" grep -q "^kernel $(uname -r)$" $T/this.feat
check "saved features are /proc/1/cpufeat" [ "$mach" = "$(cat /proc/1/cpufeat)" ]
expect 0 "list" cpufeat list
check "list: one line per feature, none hidden from a root-cgroup shell" \
	[ "$(wc -l <$T/out)" = "$(echo $mach | wc -w)" -a -z "$(grep hidden $T/out)" ]
expect 0 "show" cpufeat show
check "show: own view is the machine's" [ "$(cat $T/out)" = "$mach" ]
expect 0 "show 1" cpufeat show 1
expect 0 "show --hidden" cpufeat show --hidden
check "nothing hidden from a root-cgroup shell" [ -z "$(cat $T/out)" ]
expect 3 "show of a missing process" cpufeat show 999999

# A synthetic weaker machine: this one without two of its features.
drop=
for f in $cands; do
	has_word $f "$mach" && [ $(echo $drop | wc -w) -lt 2 ] && drop="$drop $f"
done
drop=${drop# }
weak=$mach
for f in $drop; do
	weak=$(echo " $weak " | sed "s/ $f / /; s/^ //; s/ \$//")
done
check "dropping two features ($drop) for a weaker machine" \
	[ $(echo $drop | wc -w) = 2 ]
sed "s/^features .*/features $weak/; s/^cpu .*/cpu weaker/" $T/this.feat >$T/weak.feat
expect 0 "baseline of this machine and the weaker one" \
	cpufeat baseline $T/this.feat $T/weak.feat
check "baseline is the weaker set" [ "$(cat $T/out)" = "$weak" ]
expect 0 "baseline with the arch's base preset" cpufeat baseline $T/weak.feat $base
check "baseline with $base is $base" [ "$(cat $T/out)" = "$(cpufeat presets $base)" ]
sed "s/^arch .*/arch $( [ $arch = x86_64 ] && echo arm64 || echo x86_64)/" \
	$T/this.feat >$T/other.feat
expect 2 "baseline refuses to mix architectures" \
	cpufeat baseline $T/this.feat $T/other.feat
printf 'cpufeat-features 1\narch %s\nfeatures fpu Fpu\n' $arch >$T/bad.feat
expect 2 "malformed file rejected" cpufeat baseline $T/bad.feat
check "error names file and line" grep -q "bad.feat:3: invalid feature name" $T/err

expect 0 "check the weaker set" cpufeat check $T/weak.feat
expect 0 "check this machine's own set" cpufeat check $T/this.feat
expect 0 "check $base" cpufeat check $base
sed "s/^features .*/features $mach zz_not_here/" $T/this.feat >$T/strong.feat
expect 1 "check a stronger set" cpufeat check $T/strong.feat
check "missing feature listed" grep -q "^missing 1 of the .*: zz_not_here$" $T/out
expect 1 "check the other architecture's file" cpufeat check $T/other.feat

# set
expect 0 "set --create enables cpufeat down the path" \
	cpufeat set --create /gt/a $T/weak.feat
check "root and /gt have +cpufeat" \
	sh -c "grep -qw cpufeat $CG/cgroup.subtree_control && grep -qw cpufeat $CG/gt/cgroup.subtree_control"
eff=$(cat $CG/gt/a/cpufeat.hwcap.effective)
ok=1
for f in $drop; do has_word $f "$eff" && ok=0; done
check "effective set lacks $drop" [ $ok = 1 ]
check "effective set is within the weaker set" \
	sh -c 'for f in $1; do echo " $2 " | grep -q " $f " || exit 1; done' - "$eff" "$weak"
expect 0 "set max" cpufeat set /gt/a max
check "reads back max" [ "$(cat $CG/gt/a/cpufeat.hwcap)" = max ]
first=${drop%% *}
expect 0 "set -NAME (edit)" cpufeat set /sys/fs/cgroup/gt/a -$first
check "edit applied" sh -c '! grep -qw $0 $1' $first $CG/gt/a/cpufeat.hwcap.effective
expect 0 "set --dry-run max -NAME" cpufeat set --dry-run gt/a max -$first
check "dry run prints the list and changes nothing" \
	[ "$(cat $T/out)" = "$(echo " $mach " | sed "s/ $first / /; s/^ //; s/ \$//")" -a \
	  "$(cat $CG/gt/a/cpufeat.hwcap)" != max ]
expect 3 "set of an unknown name: the kernel says EINVAL" cpufeat set gt/a zz_unknown
check "kernel rejection explained" grep -q "the kernel rejected \"zz_unknown\"" $T/err
expect 2 "set of a malformed spec" cpufeat set gt/a "max $probe_feat"
expect 3 "set of a missing cgroup" cpufeat set gt/nosuch max
expect 0 "set below the arch baseline warns" cpufeat set gt/a -- -$probe_feat
check "warning names $probe_feat and $base" grep -q "warning: this hides .*$probe_feat.* of $base" $T/err
expect 0 "set --quiet does not warn" cpufeat set --quiet gt/a -- -$probe_feat
check "no warning" [ ! -s $T/err ]
mkdir $CG/busy
sleep 100 &
sleeper=$!
echo $sleeper >$CG/busy/cgroup.procs
expect 3 "set under a cgroup with processes" cpufeat set --create busy/child max
check "no-internal-processes rule explained" grep -q "no internal processes" $T/err
kill $sleeper
wait $sleeper 2>/dev/null

# run
before=$(ls -d $CG/cpufeat-run.* 2>/dev/null | wc -l)
expect 0 "run the weaker set -- cpufeat_probe --check" \
	cpufeat run $T/weak.feat -- cpufeat_probe --check
ok=1
for f in $drop; do grep -qw $f $T/out && ok=0; done
check "cpufeat_probe's view lacks $drop" [ $ok = 1 ]
expect 0 "run -- cpufeat show" cpufeat run $T/weak.feat -- cpufeat show
check "the command's view is the weaker set" [ "$(cat $T/out)" = "$weak" ]
expect 0 "run -- cpufeat list marks hidden features" \
	cpufeat run -- -$first -- cpufeat list
check "$first hidden" grep -q "^$first hidden$" $T/out
check "transient cgroups removed" \
	[ "$(ls -d $CG/cpufeat-run.* 2>/dev/null | wc -l)" = "$before" ]
expect 1 "check --pid of a process in a restricted cgroup" \
	cpufeat run $T/weak.feat -- sh -c 'exec cpufeat check --pid $$ '$T/this.feat
check "its missing features are listed" grep -q "missing 2 of" $T/out
expect 7 "run passes the exit status" cpufeat run max -- sh -c 'exit 7'
expect 137 "run reports a kill as 128+9" cpufeat run max -- sh -c 'kill -9 $$'
expect 127 "run of a missing command" cpufeat run max -- /nonexistent
expect 125 "run with a bad spec" cpufeat run "max $probe_feat" -- true
expect 125 "run without --" cpufeat run max true
expect 125 "run of a name the kernel rejects" cpufeat run zz_unknown -- true
expect 0 "run --cgroup keeps an existing cgroup" \
	cpufeat run --cgroup /gt/a max -- cpufeat show
check "/gt/a still there" [ -d $CG/gt/a ]
expect 0 "run --exec" cpufeat run --cgroup /gt/b --exec $T/weak.feat -- cpufeat show
check "--exec: view and the cgroup left" [ "$(cat $T/out)" = "$weak" -a -d $CG/gt/b ]
check "no transient cgroup left over" \
	[ "$(ls -d $CG/cpufeat-run.* 2>/dev/null | wc -l)" = "$before" ]

rmdir $CG/gt/a $CG/gt/b $CG/gt $CG/busy 2>/dev/null
echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
