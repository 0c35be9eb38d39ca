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
# cands: features to drop for a synthetic weaker machine, the first two the
# machine has.  They must take nothing with them (a machine's set is closed
# under the kernel's dependencies): on arm64, sha3 would take svesha3.
case $(uname -m) in
x86_64)
	# leaves: no other feature needs them (avx needs sse4_2, vaes
	# avx2 and aes, vpclmulqdq pclmulqdq)
	arch=x86_64 base=x86-64-v1 cands="adx bmi2 rdrand movbe"
	probe_feat=sse2
	;;
aarch64)
	arch=arm64 base=armv8.0-a cands="crc32 atomics sha3 sha512 aes"
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

# The tool's model of cpufeat.hwcap (set --predict) against the kernel:
# for each value, what the tool predicts (result, setting, effective set)
# must be what the write does.  Leaf features (nothing depends on them) and
# name lists closed under the kernel's dependencies keep the effective sets
# exact, which the tool computes without the dependencies.
nl='
'
tab=$(printf '\t')
mkdir -p $CG/gt/p
# predict_case DESCRIPTION BEFORE VALUE
predict_case() {
	what=$1 before=$2 value=$3
	printf '%s' "$before" >$CG/gt/p/cpufeat.hwcap
	cpufeat set --predict --raw --quiet gt/p "$value" >$T/pred 2>$T/err ||
		{ fail "predict: $what (set --predict failed)"; return; }
	if cpufeat set --raw --quiet gt/p "$value" >$T/out 2>$T/err; then
		got=ok
	else
		got=$(sed -n 's/.*for [^ ]* (\([A-Z0-9]*\)).*/\1/p' $T/err)
		[ -n "$got" ] || got="exit $? $(cat $T/err)"
	fi
	want=$(sed -n 's/^result //p' $T/pred)
	want_set=$(sed -n 's/^setting //p' $T/pred)
	want_eff=$(sed -n 's/^effective //p' $T/pred)
	now_set=$(cat $CG/gt/p/cpufeat.hwcap)
	now_eff=$(cat $CG/gt/p/cpufeat.hwcap.effective)
	if [ "$got" = "$want" ] && [ "$now_set" = "$want_set" ] &&
	   [ "$now_eff" = "$want_eff" ]; then
		pass "predict: $what: $got"
	else
		fail "predict: $what"
		echo "# kernel: $got, setting \"$now_set\", effective \"$now_eff\""
		sed 's/^/# tool: /' $T/pred
	fi
}
if [ $arch = x86_64 ]; then
	leaves="popcnt movbe sse4_2 rdrand aes"
	closed="fpu fxsr sse sse2"
else
	leaves="crc32 atomics sha3 asimdrdm jscvt"
	closed="fp asimd"
fi
la=''
lb=''
for f in $leaves; do
	has_word $f "$mach" || continue
	if [ -z "$la" ]; then la=$f; elif [ -z "$lb" ]; then lb=$f; fi
done
check "two leaf features for the model ($la $lb)" [ -n "$la" -a -n "$lb" ]
absent=$(cpufeat classes | while read -r name _ kind; do
	[ $kind = cpufeat ] && ! has_word $name "$mach" && { echo $name; break; }
done)
predict_case "max" "$closed" "max"
predict_case "max with blanks" "$closed" "  max$tab$nl"
predict_case "max max" "$closed" "max max"
predict_case "max and a name" "$closed" "max $la"
predict_case "a name and max" "$closed" "$la max"
predict_case "an edit and max" "max" "-$la max"
predict_case "one edit of max" "max" "-$la"
predict_case "two edits of max" "max" "-$la -$lb"
predict_case "an edit of a list" "$closed" "+$la"
predict_case "edits that change nothing" "$closed" "-$la"
predict_case "a list closed under dependencies" "max" "$closed"
predict_case "a list and a leaf" "max" "$closed $la"
predict_case "a list in another order" "max" "$la $closed"
predict_case "names mixed with edits" "max" "$closed -$la"
predict_case "edits mixed with names" "max" "-$la $closed"
predict_case "a name twice" "max" "$closed $la $la"
predict_case "+NAME and -NAME" "max" "+$la -$la"
predict_case "-NAME twice" "max" "-$la -$la"
predict_case "an unknown name" "max" "zz_unknown"
predict_case "a list with an unknown name" "$closed" "$closed zz_unknown"
predict_case "an upper-case name" "max" "$(echo $la | tr a-z A-Z)"
predict_case "names with a comma" "max" "$la,$lb"
predict_case "a lone +" "max" "+"
predict_case "an empty value" "$closed" ""
predict_case "only blanks" "$closed" " $tab$nl "
predict_case "nothing left" "$la" "-$la"
[ -z "$absent" ] || predict_case "a name the machine lacks ($absent)" "max" "$closed $absent"
[ $arch != x86_64 ] || predict_case "a name /proc/cpuinfo has, cpufeat not" "max" "constant_tsc"
pad=$(head -c 8189 /dev/zero | tr '\0' ' ')
predict_case "8192 bytes" "$closed" "max$pad"
predict_case "8193 bytes" "$closed" "max$pad "
all=$(cpufeat classes | while read -r name _ kind; do
	[ $kind = cpufeat ] && printf '%s ' $name
done)
predict_case "every name the kernel knows" "$closed" "$all"
# Tool specs (presets, edits of the machine's set), predicted and written.
for spec in "$base" "max -$la" "$base +$la" "-$lb"; do
	printf 'max' >$CG/gt/p/cpufeat.hwcap
	cpufeat set --predict --quiet gt/p $spec >$T/pred
	cpufeat set --quiet gt/p $spec
	check "predict: spec \"$spec\" as written" \
		[ "$(sed -n 's/^setting //p' $T/pred)" = "$(cat $CG/gt/p/cpufeat.hwcap)" -a \
		  "$(sed -n 's/^effective //p' $T/pred)" = "$(cat $CG/gt/p/cpufeat.hwcap.effective)" ]
done
# Every name the tool's table gives as cpufeat's is one the kernel takes,
# and every other name one it rejects.
bad=
cpufeat classes >$T/classes
while read -r name _ kind; do
	if printf '%s' "$name" >$CG/gt/p/cpufeat.hwcap 2>/dev/null; then
		[ $kind = cpufeat ] || bad="$bad $name"
	else
		[ $kind != cpufeat ] || bad="$bad $name"
	fi
done <$T/classes
check "the kernel takes exactly the names the table marks cpufeat ($(wc -l <$T/classes) names)" \
	[ -z "$bad" ]
[ -z "$bad" ] || echo "# differ:$bad"
rmdir $CG/gt/p

# criu-hook against real processes (no criu here: the environment criu
# gives its action scripts): a tree of a masked shell and its child, its
# record, a check on this machine, and the views "after restore".
mkdir -p $CG/gt/hook
cpufeat set --quiet gt/hook "$weak"
hview=$(cat $CG/gt/hook/cpufeat.hwcap.effective)
mkdir -p $T/img
sh -c 'echo $$ >'$CG'/gt/hook/cgroup.procs
	exec sh -c "sleep 100 & echo \$! >'$T'/hchild; wait"' &
hroot=$!
sleep 1
hook() {
	CRTOOLS_SCRIPT_ACTION=$1 CRTOOLS_IMAGE_DIR=$T/img CRTOOLS_INIT_PID=$hroot \
		cpufeat criu-hook
}
expect 0 "criu-hook post-dump of a masked tree (a shell and its child)" hook post-dump
check "the record has the two processes, with the masked view" \
	sh -c '[ $(grep -c "^process [0-9]* $1$" $2) = 2 ]' - "$hview" $T/img/cpufeat-criu.txt
check "and this machine's features" grep -q "^machine $mach$" $T/img/cpufeat-criu.txt
expect 0 "criu-hook pre-restore on this machine" hook pre-restore
check "no warning: this shell's view has the recorded one, which post-restore narrows to" \
	test ! -s $T/err
expect 0 "criu-hook post-restore: the views are the recorded ones" hook post-restore
check "said so" grep -q "the 2 restored processes have the views they were dumped with" $T/err
sed -i "s/^\(process [0-9]*\) .*/\1 $mach/" $T/img/cpufeat-criu.txt
expect 1 "criu-hook post-restore: recorded views are not what the processes have" hook post-restore
check "what they would need is named ($drop)" \
	sh -c 'for f in $1; do grep -q "cannot get its recorded view: it would need .*\<$f\>" $2 || exit 1; done' - "$drop" $T/err
# recorded views narrower than the processes' (one more feature hidden):
# the hook narrows them, writing their /proc/PID/cpufeat
less=
for f in aes popcnt sse4_2; do
	echo " $hview " | grep -q " $f " && less=$f && break
done
[ -n "$less" ] || less=${hview##* }
mkdir -p $CG/gt/hook2
echo "$hview" >$CG/gt/hook2/cpufeat.hwcap
echo "-$less" >$CG/gt/hook2/cpufeat.hwcap
nview=$(cat $CG/gt/hook2/cpufeat.hwcap.effective)
rmdir $CG/gt/hook2
sed -i "s/^\(process [0-9]*\) .*/\1 $nview/" $T/img/cpufeat-criu.txt
expect 0 "criu-hook post-restore: recorded views narrower than the processes' ($less hidden)" hook post-restore
check "the hook narrowed both processes' views to the recorded one" \
	sh -c '[ "$(cat /proc/$1/cpufeat)" = "$3" ] && [ "$(cat /proc/$2/cpufeat)" = "$3" ]' - $hroot "$(cat $T/hchild)" "$nview"
sed -i "s/^machine .*/machine $mach zz_gone/; s/^\(process [0-9]*\) .*/\1 $mach zz_gone/" $T/img/cpufeat-criu.txt
expect 1 "criu-hook pre-restore: a recorded feature this machine lacks" hook pre-restore
check "named" grep -q "missing: zz_gone" $T/err
kill "$(cat $T/hchild)" $hroot 2>/dev/null
wait $hroot 2>/dev/null

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

rmdir $CG/gt/a $CG/gt/b $CG/gt/hook $CG/gt $CG/busy 2>/dev/null
echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
