#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The two-machine migration (issue 16), x86_64 and arm64 (what differs:
# the variables below, and migrate-arm64.sh), in the guest with the eco
# overlay (criu) and the workload of fetch.sh in /tmp/in/work.  One phase
# per boot, each printing KTAP:
#
#   sh migrate-guest.sh A   on -cpu max: the baseline of A and B, two jobs
#                           (masked to it, and not), dumped with the hook
#                           into /tmp/out (vm --out carries it to B)
#   sh migrate-guest.sh B   on -cpu max,-avx2,-avx: /tmp/in/img from A;
#                           restores both and checks what happens
#
# check.sh's boot x86_64-migrate runs both (run.sh); make demo-migrate lays
# out the "# demo" records (suites/demo/migrate.sh).  By hand:
#   H=tools/testing/cpufeat; S=$H/suites/migrate; W=$($S/fetch.sh)
#   $H/vm --eco --out o --add $W --add $S/migrate-guest.sh -- sh migrate-guest.sh A
#   QEMU_CPU=max,vendor=GenuineIntel,-avx2,-avx $H/vm --eco \
#       --append print-fatal-signals=1 --add $W --add o/img \
#       --add $S/migrate-guest.sh -- sh migrate-guest.sh B
# avx2-ud.c (static) shows that B's model raises #UD for AVX and AVX2.
# The commands are those of the guide's CRIU section
# (Documentation/admin-guide/cgroup-v2-cpufeat-containers.rst).

CG=/sys/fs/cgroup
W=/tmp/in/work
H=/tmp/hook
HOOK=$H/cpufeat-criu-hook
R=/tmp/res
# What differs between the architectures: machine B's model as a
# cpufeat.hwcap setting on A (B_MODEL, B_NAME), the features B lacks that
# the workload uses on A (B_LACKS, an alternation for grep; B_LACK, the
# one the checks name), who tells that gowork died of SIGILL on B
# (GO_SIGILL_BY, GO_SIGILL: a command), RESTORE_STOPPED and the checks of the
# architecture's own (arch_phase_A, arch_phase_B); arm64's are in
# migrate-arm64.sh.
LIBDIR=x86_64-linux-gnu
B_MODEL="-avx2 -avx"
B_NAME="QEMU max,-avx2,-avx (derived)"
B_LACKS='avx2\|avx'
B_LACK=avx2
GO_SIGILL_BY="its runtime's report"
GO_SIGILL="grep -q '^SIGILL: illegal instruction' $R/full.golog"
RESTORE_STOPPED= # criu restore's option to leave the unmasked tree stopped
arch_phase_A() { :; }
arch_phase_B() { :; }
# shellcheck source=SCRIPTDIR/migrate-arm64.sh
[ "$(uname -m)" != aarch64 ] || . "$(dirname "$0")/migrate-arm64.sh"
export LD_LIBRARY_PATH=$W/usr/lib/$LIBDIR:$W/lib/$LIBDIR
export PATH=$PATH:$W/usr/bin
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "${CPUFEAT_LIB:-/usr/lib/cpufeat}/ktap.sh"
show() { sed 's/^/# /' "$@"; }
# record KEY TEXT...: a "# demo KEY TEXT" line for make demo-migrate
# (suites/demo/migrate.sh lays them out)
record() {
	key=$1
	shift
	echo "# demo $key $*"
}
# view_of JOB: the view of JOB's gowork process (/proc/PID/cpufeat)
view_of() {
	for p in $(cat $CG/$1/cgroup.procs); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = gowork ] && cat /proc/$p/cpufeat && return
	done
}
# finish: the plan (after the results) and the totals; exits non-zero if a
# result failed
finish() {
	ktap_plan "$KTAP_N"
	ktap_finished
	exit
}

# The workload, two real Debian programs that pick their code from what
# the CPU says, each checking its own results at the end:
#  - perl compares and copies strings (glibc's memcmp/memmove ifuncs:
#    AVX2 variants where CPUID has avx2), 300 rounds of 0.1 s;
#  - openssl dgst -sha512 hashes what a perl writes in 300 chunks of
#    0.1 s (OpenSSL's SHA-512 code chosen from CPUID at start-up);
#  - gowork (gowork.go, static Go, which reads CPUID itself: AVX memmove,
#    AVX2 bytes.Equal/Index and SHA-256) copies, compares, searches and
#    hashes 64 KiB in 300 rounds of 0.1 s; its output goes to
#    $R/NAME.golog, which moves with the images (a container's files move
#    with it) so CRIU reopens it on B.
PL_MEM='my $bad = 0; for my $r (1..300) { for my $len (40, 1500, 40000) {
my $a = ("ab" x $len) . "x"; my $b = ("ab" x $len) . "y"; my $c = "$a";
$bad++ if $a eq $b; $bad++ unless $a eq $c; $bad++ unless index($c, "x") == 2 * $len;
} select(undef, undef, undef, 0.1) } exit($bad ? 1 : 0)'
PL_GEN='$| = 1; for my $i (1..300) { print "chunk $i " x 3000;
select(undef, undef, undef, $ENV{PAUSE} // 0.1) }'
export PL_MEM PL_GEN
JOB='cd /; ( perl -e "$PL_MEM"; echo "perl $?" >'$R'/$1.perl ) &
( d=$(perl -e "$PL_GEN" | openssl dgst -sha512 -r); echo "openssl $? $d" >'$R'/$1.openssl ) &
( gowork >>'$R'/$1.golog 2>&1; echo "go $?" >'$R'/$1.go ) &
wait'

# start_job NAME CGROUP: the workload in CGROUP, its root's pid in $pid
start_job() {
	setsid sh -c 'echo $$ >'$CG'/$2/cgroup.procs; exec sh -c "$0" job "$1"' "$JOB" "$1" "$2" \
		</dev/null >/dev/null 2>&1 &
	pid=$!
}

# wait_results NAME: until the programs of job NAME wrote their results
wait_results() {
	i=0
	while [ $i -lt 120 ] && ! { [ -s $R/$1.perl ] && [ -s $R/$1.openssl ] && [ -s $R/$1.go ]; }; do
		sleep 1
		i=$((i + 1))
	done
}

# A container whose two processes have different views: the root runs
# in cgroup pair (the mask), its child executed in pair-narrow, which
# hides one more feature.  CRIU never executes a restored process, which
# is a copy of criu: only the hook, writing each one's recorded view to
# its /proc/PID/cpufeat at post-restore, gives them their views back.
# pair_dump (A): two such containers, pair1 and pair2, dumped with the
# hook; pair_restore (B): pair1 restored without the hook (both processes
# get criu's view), pair2 with it (each gets its recorded view).
pair_cgroups() {	# MASK LESS
	mkdir -p $CG/pair $CG/pair-narrow
	echo "$1" >$CG/pair/cpufeat.hwcap
	echo "$1" >$CG/pair-narrow/cpufeat.hwcap
	echo "-$2" >$CG/pair-narrow/cpufeat.hwcap
}
pair_dump() {
	less=
	for f in aes sse4_2 popcnt; do
		echo " $mask " | grep -q " $f " && less=$f && break
	done
	echo "$less" >$I/pair.less
	pair_cgroups "$mask" "$less"
	for n in 1 2; do
		echo $((30000 + n * 1000)) >/proc/sys/kernel/ns_last_pid
		setsid sh -c 'echo $$ >'$CG'/pair/cgroup.procs; sh -c "echo \$\$ >'$CG'/pair-narrow/cgroup.procs; exec sleep 1000" & exec sleep 1000' \
			</dev/null >/dev/null 2>&1 &
		root=$!
		sleep 2
		mkdir -p $I/pair$n
		for p in $root $(cat $CG/pair-narrow/cgroup.procs); do
			[ $p = $root ] || [ "$(cut -d' ' -f4 /proc/$p/stat)" = $root ] &&
				echo "$p $(cat /proc/$p/cpufeat)"
		done >$I/pair$n/views
		show $I/pair$n/views
		criu dump -t $root -D $I/pair$n -o dump.log --action-script $HOOK >/tmp/dump.out 2>&1
		st=$?
		[ $st = 0 ] || { show /tmp/dump.out; grep -i "Error" $I/pair$n/dump.log | head -n 30 | sed 's/^/# /'; }
		views=$(cut -d' ' -f2- $I/pair$n/views | sort -u | wc -l)
		ktap_check "criu dump of container pair$n, two processes of different views (status $st)" \
			[ $st = 0 -a "$views" = 2 ]
	done
}
pair_restore() {
	pair_cgroups "$(cat $I/mask)" "$(cat $I/pair.less)"
	for n in 1 2; do
		hook=
		[ $n = 2 ] && hook="--action-script $HOOK"
		sh -c 'echo $$ >'$CG'/pair/cgroup.procs; exec criu restore -d -D '$I'/pair'$n' -o restore.log --cpu-cap=none '"$hook" \
			>/tmp/restore.out 2>&1
		st=$?
		[ $st = 0 ] || { show /tmp/restore.out; grep -i "Error\|cpufeat" $I/pair$n/restore.log | head -n 30 | sed 's/^/# /'; }
		for p in $(cut -d' ' -f1 $I/pair$n/views); do
			echo "$p $(cat /proc/$p/cpufeat 2>&1)"
		done >/tmp/pair$n.views
		show /tmp/pair$n.views
	done
	criu_view=$(cat $CG/pair/cpufeat.hwcap.effective)
	views=$(cut -d' ' -f2- /tmp/pair1.views | sort -u)
	ktap_check "without the hook both restored processes of container pair1 have criu's view" \
		[ "$(wc -l </tmp/pair1.views)" = 2 -a "$views" = "$criu_view" ]
	ktap_check "with the hook each restored process of container pair2 has its recorded view" \
		cmp /tmp/pair2.views $I/pair2/views
}

ktap_header
command -v criu >/dev/null || { echo "1..0 # SKIP no criu (vm --eco)"; exit 0; }
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
mkdir -p $H $R
ln -sf "$(command -v cpufeat)" $HOOK
echo +cpufeat >$CG/cgroup.subtree_control
phase=$1

if [ "$phase" = A ]; then
	I=/tmp/out/img
	mkdir -p $I/masked $I/full
	# Machine A's features, and B's derived from A without a third
	# boot: QEMU's B model is A's without avx and avx2, and the kernel
	# drops what depends on them (fma, avx512*, ...); phase B checks
	# that B really has them all (cpufeat check).
	cpufeat list --save $I/A.feat
	mkdir $CG/bmodel
	echo "$B_MODEL" >$CG/bmodel/cpufeat.hwcap
	{ echo "cpufeat-features 1"; echo "arch $(uname -m | sed s/aarch64/arm64/)"; echo "cpu $B_NAME"
	  echo "features $(cat $CG/bmodel/cpufeat.hwcap.effective)"; } >$I/B.feat
	ktap_check "B's feature set lacks $(echo "$B_LACKS" | sed 's/\\|/ and /g')" \
		sh -c "! grep '^features' $I/B.feat | grep -qw '$B_LACKS'"
	mask=$(cpufeat baseline $I/A.feat $I/B.feat)
	record A.features "$(sed -n 's/^features //p' $I/A.feat)"
	record B.features "$(sed -n 's/^features //p' $I/B.feat)"
	record mask "$mask"
	ktap_check "cpufeat baseline A.feat B.feat" [ -n "$mask" ]
	echo "$mask" >$I/mask
	mkdir $CG/job $CG/full
	echo "$mask" >$CG/job/cpufeat.hwcap
	arch_phase_A
	expect=$(PAUSE=0 perl -e "$PL_GEN" | openssl dgst -sha512 -r)
	echo "$expect" >$I/expect
	echo 10000 >/proc/sys/kernel/ns_last_pid
	start_job masked job
	mpid=$pid
	sleep 2 # its children forked before the next pid range
	echo 20000 >/proc/sys/kernel/ns_last_pid
	start_job full full
	fpid=$pid
	sleep 4
	for p in $(cat $CG/job/cgroup.procs); do
		echo "$p $(cat /proc/$p/cpufeat)"
	done >$I/masked/views
	record A.view.masked "$(view_of job)"
	record A.view.full "$(view_of full)"
	ktap_check "the masked workload runs without $B_LACK in its view" \
		sh -c "grep -q openssl /proc/[0-9]*/comm && ! grep -qw $B_LACK $I/masked/views"
	ktap_check "gowork runs in both jobs" grep -q '^gowork [0-9]*: 300 rounds' $R/masked.golog $R/full.golog
	for j in masked:$mpid full:$fpid; do
		criu dump -t ${j#*:} -D $I/${j%:*} -o dump.log --action-script $HOOK >/tmp/dump.out 2>&1
		st=$?
		[ $st = 0 ] || { show /tmp/dump.out; grep -i "Error\|cpufeat\|action" $I/${j%:*}/dump.log | head -n 30 | sed 's/^/# /'; }
		ktap_check "criu dump of the ${j%:*} workload with the hook (status $st)" [ $st = 0 ]
		record dump.${j%:*} "$st"
	done
	ktap_check "the hook recorded $B_LACK in the unmasked job's view only" \
		sh -c "grep -qw $B_LACK $I/full/cpufeat-criu.txt && ! grep '^process' $I/masked/cpufeat-criu.txt | grep -qw $B_LACK"
	pair_dump
	mkdir $I/files
	cp -p $R/masked.golog $R/full.golog $I/files/
	finish
fi

# Phase B
I=/tmp/in/img
cp -p $I/files/masked.golog $I/files/full.golog $R/
ktap_check "this machine (B) lacks $B_LACK" sh -c "! grep -qw $B_LACK /proc/1/cpufeat"
cpufeat check $I/B.feat >/tmp/check.out 2>&1
st=$?
show /tmp/check.out
ktap_check "B has every feature of the B.feat derived on A (cpufeat check)" [ $st = 0 ]
mkdir $CG/job $CG/full
cat $I/mask >$CG/job/cpufeat.hwcap
mpid=$(sed -n '1s/ .*//p' $I/masked/views)
sh -c 'echo $$ >'$CG'/job/cgroup.procs; exec criu restore -d -D '$I'/masked -o restore.log --cpu-cap=none --action-script '$HOOK \
	>/tmp/restore.out 2>&1
st=$?
[ $st = 0 ] || { show /tmp/restore.out; grep Error $I/masked/restore.log | head -n 30 | sed 's/^/# /'; }
ktap_check "criu restore of the masked workload on B in the masked cgroup (status $st)" [ $st = 0 ]
record restore.masked "$st"
record B.view.masked "$(view_of job)"
for p in $(cut -d' ' -f1 $I/masked/views); do
	echo "$p $(cat /proc/$p/cpufeat 2>&1)"
done >/tmp/views.b
ktap_check "the restored processes have the views they had on A" cmp -s /tmp/views.b $I/masked/views
arch_phase_B
wait_results masked
record result.masked "$(cat $R/masked.perl $R/masked.go 2>/dev/null | tr '\n' ' ')openssl $(cut -d' ' -f2 $R/masked.openssl 2>/dev/null)"
record golog.masked "$(tail -n 1 $R/masked.golog)"
show $R/masked.perl $R/masked.openssl
ktap_check "perl kept running and its string results are right" grep -qx "perl 0" $R/masked.perl
ktap_check "openssl kept running and its SHA-512 is right" grep -qxF "openssl 0 $(cat $I/expect)" $R/masked.openssl
show $R/masked.go $R/masked.golog
ktap_check "gowork kept running and its results are right" \
	sh -c "grep -qx 'go 0' $R/masked.go && grep -q '^gowork: 300 rounds, results right' $R/masked.golog"

pair_restore

# Unmasked: the hook refuses, naming the features; without the hook the
# programs die of SIGILL (status 132)
criu restore -d -D $I/full -o restore.log --cpu-cap=none --action-script $HOOK >/tmp/restore2.out 2>&1
st=$?
show /tmp/restore2.out
ktap_check "the hook refuses to restore the unmasked workload on B (status $st)" [ $st != 0 ]
record refused "$st, $(sed -n 's/.*\(missing:.*\)/\1/p' /tmp/restore2.out $I/full/restore.log | head -n 1)"
ktap_check "naming the missing features" grep -q "missing:.*$B_LACK" /tmp/restore2.out $I/full/restore.log
sh -c 'echo $$ >'$CG'/full/cgroup.procs; exec criu restore -d -D '$I'/full -o restore3.log --cpu-cap=none '"$RESTORE_STOPPED" \
	>/tmp/restore3.out 2>&1
st=$?
[ $st = 0 ] || { show /tmp/restore3.out; grep Error $I/full/restore3.log | head -n 30 | sed 's/^/# /'; }
ktap_check "without the hook criu restores the unmasked workload (status $st)" [ $st = 0 ]
record restore.full "$st"
[ -z "$RESTORE_STOPPED" ] || kill -CONT $(cat $CG/full/cgroup.procs)
# every program of it, busybox's static sh included (glibc's AVX2
# memcpy), dies: the kernel reports SIGILL (vm --append print-fatal-signals=1)
i=0
while [ $i -lt 60 ] && grep -q . $CG/full/cgroup.procs; do sleep 1; i=$((i + 1)); done
ktap_check "and the restored unmasked workload is gone, no result written" \
	sh -c "! grep -q . $CG/full/cgroup.procs && ! [ -e $R/full.perl -o -e $R/full.openssl ]"
dmesg | grep 'fatal signal' | sed 's/^/# /'
record sigill "$(dmesg | sed -n 's/.*: \([^ :]*\): potentially unexpected fatal signal 4\./\1/p' | tr '\n' ' ')"
record golog.full "$(grep -m 1 '^SIGILL' $R/full.golog) ($(grep -m 1 '^PC=' $R/full.golog))"
ktap_check "killed by SIGILL (signal 4) on B" sh -c "dmesg | grep -q 'unexpected fatal signal 4'"
# Go catches SIGILL itself: its runtime reports it (what, where) before it
# dies of it
head -n 4 $R/full.golog | show
ktap_check "gowork died of SIGILL on B ($GO_SIGILL_BY), no result" \
	sh -c "$GO_SIGILL && ! grep -q 'results right' $R/full.golog && ! grep -qx 'go 0' $R/full.go 2>/dev/null"
finish
