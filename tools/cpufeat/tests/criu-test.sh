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

# criu_log N ACTION: criu's log of ACTION (dump, restore) for image N, shown
criu_log() {
	show $T/$2$1.out
	grep -E 'Error|cpufeat' $T/img$1/$2.log | head -n 20 | sed 's/^/# /'
}

# dump_job N: checkpoint the job into $T/imgN with the hook; status in $st
dump_job() {
	mkdir -p $T/img$1
	criu dump -t "$pid" -D $T/img$1 -o dump.log -v4 --action-script "$HOOK" \
		>$T/dump$1.out 2>&1
	st=$?
}

# restore_job N [CGROUP]: restore $T/imgN with the hook, criu in the job's
# cgroup (or CGROUP); status in $st, criu's log shown on failure
restore_job() {
	sh -c 'echo $$ >'$CG${2:-/hk/job}'/cgroup.procs; exec criu restore -d -D '$T/img$1' -o restore.log -v4 --action-script "'"$HOOK"'"' \
		>$T/restore$1.out 2>&1
	st=$?
}

# restored N WHAT MESSAGE: restore N (WHAT) succeeded, the hook said
# MESSAGE, the restored program has the recorded view; ends the program
restored() {
	[ $st = 0 ] || criu_log $1 restore
	check "criu restore $2 (status $st)" [ $st = 0 ]
	check "the hook said \"$3\"" grep -q "$3" $T/img$1/restore.log $T/restore$1.out
	check "the restored program's view is the recorded one" \
		[ $st = 0 -a "$(cat /proc/$pid/cpufeat 2>&1)" = "$view" ]
	kill "$pid" 2>/dev/null
}

# refused N WHAT MESSAGE: restore N (WHAT) failed, the hook said MESSAGE,
# and no restored program runs
refused() {
	check "criu restore $2 fails (status $st)" [ $st != 0 ]
	check "the hook said \"$3\"" grep -q "$3" $T/img$1/restore.log $T/restore$1.out
	check "the restored program does not run" sh -c "! kill -0 $pid 2>/dev/null"
}

# 1. dump and restore with the hook, criu in the job's cgroup
start_job
dump_job 1
[ $st = 0 ] || criu_log 1 dump
check "criu dump --action-script \"$HOOK\" (status $st)" [ $st = 0 ]
check "the hook recorded the dumped process's view in the image directory" \
	grep -q "^process $pid $view\$" $T/img1/cpufeat-criu.txt
restore_job 1
restored 1 "in the job's cgroup, the hook agreeing" \
	"the 1 restored processes have the views they were dumped with"

# 2. a program of the root cgroup (the whole view) restored by criu in the
# job's cgroup: a view is never widened; the hook makes criu kill the
# restored tree
start_job /
dump_job 2
restore_job 2
refused 2 "with another view than the recorded one" \
	"cannot get its recorded view: it would need"

# 3. a record of a machine with a feature this one lacks: refused before
# anything is restored
start_job
dump_job 3
sed -i 's/^\(machine .*\)/\1 zz_gone/; s/^\(process [0-9]* .*\)/\1 zz_gone/' $T/img3/cpufeat-criu.txt
restore_job 3
refused 3 "of a record this machine cannot satisfy, at pre-restore" \
	"missing: zz_gone"

# 4. the masked program restored by criu in the root cgroup, whose view
# it gets: the hook narrows it to the recorded one before it runs
start_job
dump_job 4
restore_job 4 /
restored 4 "in the root cgroup, a wider view than the recorded one" \
	"narrowed the views of 1 restored processes to the recorded ones"

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
