#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "cpufeat criu-hook" with Debian's criu in the x86_64 test guest with the
# ecosystem overlay (criu in /usr/sbin), one machine: a masked program
# dumped and restored with the hook, restored where criu's view lacks
# features of the recorded one (the hook kills the tree), restored from a
# record this machine cannot satisfy (the hook stops criu first), and
# restored by a criu with a wider view (the hook narrows the restored
# process's view to the recorded one).  Prints TAP:
#
#   tools/testing/cpufeat/vm --eco --add tools/cpufeat/tests/criu-test.sh -- sh criu-test.sh

CG=/sys/fs/cgroup
T=/tmp/criu-hook-test
# criu executes the action script's path without arguments: the link
# cpufeat-criu-hook ("make install" makes it) is "cpufeat criu-hook".
HOOK=$T/cpufeat-criu-hook
n=0
failed=0
rm -rf $T
mkdir -p $T
ln -s "$(command -v cpufeat)" $T/cpufeat-criu-hook

pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() {
	what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
show() { sed 's/^/# /' "$@"; }

echo "TAP version 13"
command -v criu >/dev/null || { echo "1..0 # SKIP no criu (vm --eco)"; exit 0; }
# criu's kernel feature detection binds a socket on the loopback
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
mach=$(cat /proc/1/cpufeat)
hide=
for f in avx2 sse4_2 aes popcnt; do
	echo " $mach " | grep -q " $f " && hide="$hide -$f"
done
cpufeat set --create --quiet /hk/job max $hide
view=$(cat $CG/hk/job/cpufeat.hwcap.effective)

# start_job [CGROUP]: a program in /hk/job (or CGROUP), its pid in $pid
start_job() {
	setsid sh -c 'echo $$ >'$CG${1:-/hk/job}'/cgroup.procs; exec sleep 1000' \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	sleep 2
}

mkdir -p $T/img $T/img2 $T/img3 $T/img4
# 1. dump and restore with the hook, criu in the job's cgroup
start_job
criu dump -t "$pid" -D $T/img -o dump.log -v4 --action-script "$HOOK" >$T/dump.out 2>&1
st=$?
[ $st = 0 ] || { show $T/dump.out; grep -E 'Error|cpufeat' $T/img/dump.log | head -n 20 | sed 's/^/# /'; }
check "criu dump --action-script \"$HOOK\" (status $st)" [ $st = 0 ]
check "the hook recorded the dumped process's view in the image directory" \
	grep -q "^process $pid $view\$" $T/img/cpufeat-criu.txt
sh -c 'echo $$ >'$CG'/hk/job/cgroup.procs; exec criu restore -d -D '$T'/img -o restore.log -v4 --action-script "'"$HOOK"'"' \
	>$T/restore.out 2>&1
st=$?
[ $st = 0 ] || { show $T/restore.out; grep -E 'Error|cpufeat' $T/img/restore.log | head -n 20 | sed 's/^/# /'; }
check "criu restore in the job's cgroup, the hook agreeing (status $st)" [ $st = 0 ]
check "the hook checked the restored view" \
	grep -q "the 1 restored processes have the views they were dumped with" $T/img/restore.log $T/restore.out
check "the restored program's view is the recorded one" \
	[ $st = 0 -a "$(cat /proc/$pid/cpufeat 2>&1)" = "$view" ]
kill "$pid" 2>/dev/null

# 2. a program of the root cgroup (the whole view) restored by criu in the
# job's cgroup: a view is never widened; the hook makes criu kill the
# restored tree
start_job /
criu dump -t "$pid" -D $T/img2 -o dump.log --action-script "$HOOK" >$T/dump2.out 2>&1
sh -c 'echo $$ >'$CG'/hk/job/cgroup.procs; exec criu restore -d -D '$T'/img2 -o restore.log -v4 --action-script "'"$HOOK"'"' \
	>$T/restore2.out 2>&1
st=$?
check "criu restore with another view than the recorded one fails (status $st)" [ $st != 0 ]
check "the hook said why" grep -q "cannot get its recorded view: it would need" $T/img2/restore.log $T/restore2.out
check "and the restored program does not run" sh -c "! kill -0 $pid 2>/dev/null"

# 3. a record of a machine with a feature this one lacks: refused before
# anything is restored
start_job
criu dump -t "$pid" -D $T/img3 -o dump.log --action-script "$HOOK" >$T/dump3.out 2>&1
sed -i 's/^\(machine .*\)/\1 zz_gone/; s/^\(process [0-9]* .*\)/\1 zz_gone/' $T/img3/cpufeat-criu.txt
sh -c 'echo $$ >'$CG'/hk/job/cgroup.procs; exec criu restore -d -D '$T'/img3 -o restore.log -v4 --action-script "'"$HOOK"'"' \
	>$T/restore3.out 2>&1
st=$?
check "criu restore refused by the hook at pre-restore (status $st)" [ $st != 0 ]
check "the missing feature named" grep -q "missing: zz_gone" $T/img3/restore.log $T/restore3.out
check "nothing restored" sh -c "! kill -0 $pid 2>/dev/null"

# 4. the masked program restored by criu in the root cgroup, whose view
# it gets: the hook narrows it to the recorded one before it runs
start_job
criu dump -t "$pid" -D $T/img4 -o dump.log --action-script "$HOOK" >$T/dump4.out 2>&1
criu restore -d -D $T/img4 -o restore.log -v4 --action-script "$HOOK" >$T/restore4.out 2>&1
st=$?
[ $st = 0 ] || { show $T/restore4.out; grep -E 'Error|cpufeat' $T/img4/restore.log | head -n 20 | sed 's/^/# /'; }
check "criu restore in the root cgroup, a wider view than the recorded one (status $st)" [ $st = 0 ]
check "the hook narrowed the restored process's view" \
	grep -q "narrowed the views of 1 restored processes to the recorded ones" $T/img4/restore.log $T/restore4.out
check "the restored program's view is the recorded one, not criu's" \
	[ $st = 0 -a "$(cat /proc/$pid/cpufeat 2>&1)" = "$view" ]
kill "$pid" 2>/dev/null

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
