#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The eco suite's parts, in the x86_64 guest booted with "vm --eco"
# (busybox sh, as root; run by cpufeat-run):
#
#   guest.sh eco         Debian 12's libcgroup tools, runc, crun, CRIU and
#                        LXC against the cpufeat controller, each recipe of
#                        Documentation/admin-guide/cgroup-v2-cpufeat-containers.rst
#                        run as the guide writes it
#   guest.sh criu-hook   "cpufeat criu-hook" with Debian's criu
#                        (tools/cpufeat/tests/criu-test.sh)
#   guest.sh podman      podman 4.3 and Docker 20.10 (booted with "vm
#   guest.sh docker      --containers"; containers.sh here)
#
# Each prints KTAP (TAP).
#
# The programs inside the containers are the guest's static cpufeat_probe
# and cpufeat, copied into a busybox bundle rootfs.
#
# HIDE is what the tests hide: features this CPU (QEMU TCG "max") has.

HIDE=${HIDE:-"-avx2 -aes"}
T=/tmp/eco
CG=/sys/fs/cgroup
LIB=${CPUFEAT_LIB:-/usr/lib/cpufeat}
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "$LIB/ktap.sh"

case "${1:-eco}" in
eco)
	;;
criu-hook)
	exec sh "$LIB/cpufeat-criu-test.sh"
	;;
podman | docker)
	exec sh "$LIB/eco-containers.sh" "$1"
	;;
*)
	echo "usage: guest.sh eco|criu-hook|podman|docker" >&2
	exit 2
	;;
esac

# lacks FILE: FILE names none of the hidden features (and is neither
# empty nor "max", which a cpufeat.hwcap that hides nothing reads).
lacks() {
	[ -n "$(cat "$1")" ] || { echo "# $1 is empty"; return 1; }
	! grep -qx max "$1" || { echo "# $1 is max"; return 1; }
	for f in $HIDE; do
		if grep -qw -- "${f#-}" "$1"; then
			echo "# $1 still names ${f#-}"
			return 1
		fi
	done
}
# has FILE: FILE names every hidden feature (the unmasked view).
has() {
	for f in $HIDE; do
		grep -qw -- "${f#-}" "$1" || { echo "# $1 lacks ${f#-}"; return 1; }
	done
}
# same_words A B: files A and B hold the same words in the same order.
same_words() {
	[ "$(tr '\t' ' ' <"$1" | tr -s ' ' '\n' | grep .)" = "$(tr '\t' ' ' <"$2" | tr -s ' ' '\n' | grep .)" ] ||
		{ echo "# $1 and $2 differ:"; show "$1"; return 1; }
}
show() {
	sed 's/^/# /' "$@"
}
# run_shown FILE CMD...: run CMD, its output in FILE, and show it; st: its
# exit status.
run_shown() {
	shown=$1
	shift
	"$@" >"$shown" 2>&1
	st=$?
	show "$shown"
}
# is_view FILE: the last line of FILE (what cpufeat_probe --check or
# /proc/self/cpufeat printed) is the reference view: what a program
# exec'd in a cgroup hiding $HIDE sees, dependants included.
is_view() {
	[ -s $T/ref-view ] || { echo "# no reference view"; return 1; }
	[ "$(tail -n 1 "$1")" = "$(cat $T/ref-view)" ] ||
		{ echo "# $1 is not the reference view:"; show "$1"; return 1; }
}

mkdir -p $T
cd $T || exit 1
ktap_header
ktap_plan 27

# Sanity: the machine has what the tests hide (else they prove nothing).
cat /proc/self/cpufeat >$T/host-view
ktap_check "the guest CPU has the features the tests hide ($HIDE)" has $T/host-view

# The container's programs: static, in a busybox rootfs.
mkdir -p $T/bundle/rootfs/bin $T/bundle/rootfs/proc $T/bundle/rootfs/dev \
	$T/bundle/rootfs/sys $T/bundle/rootfs/tmp
cp /bin/busybox $T/bundle/rootfs/bin/
for p in sh cat grep sleep; do ln -sf busybox $T/bundle/rootfs/bin/$p; done
cp "$(command -v cpufeat_probe)" "$(command -v cpufeat)" $T/bundle/rootfs/bin/

# --- runc, first: the root cgroup has not enabled cpufeat yet -----------
# bundle_config CGROUPSPATH HWCAP: the OCI config.json the guide shows.
bundle_config() {
	cat >$T/bundle/config.json <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ "/bin/cpufeat_probe", "--check" ],
		"env": [ "PATH=/bin" ],
		"cwd": "/"
	},
	"root": { "path": "rootfs" },
	"hostname": "masked",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "mode=755" ] }
	],
	"linux": {
		"cgroupsPath": "$1",
		"resources": {
			"unified": { "cpufeat.hwcap": "$2" }
		},
		"namespaces": [
			{ "type": "pid" }, { "type": "ipc" }, { "type": "uts" },
			{ "type": "mount" }, { "type": "network" }
		]
	}
}
JSON
}

# The loopback interface: CRIU binds a TCP socket to 127.0.0.1.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

echo "# root cgroup.subtree_control before runc: '$(cat $CG/cgroup.subtree_control)'"
bundle_config /runc/c1 "$HIDE"
run_shown $T/runc.out runc run --no-pivot -b $T/bundle runc-c1
ktap_check "runc: enabled cpufeat in the root's and /runc's subtree_control itself" \
	eval "grep -qw cpufeat $CG/cgroup.subtree_control && grep -qw cpufeat $CG/runc/cgroup.subtree_control"

# The reference view, now that the root has cpufeat enabled: a program
# exec'd in a cgroup hiding $HIDE.
mkdir -p $CG/ref
echo "$HIDE" >$CG/ref/cpufeat.hwcap
sh -c "echo \$\$ >$CG/ref/cgroup.procs && exec cat /proc/self/cpufeat" >$T/ref-view
echo "# reference view: $(cat $T/ref-view)"
ktap_check "the reference view lacks the hidden features" lacks $T/ref-view
ktap_check "runc: the entrypoint of a container with unified cpufeat.hwcap sees the filtered view (status $st)" \
	eval "[ $st = 0 ] && is_view $T/runc.out"
runc delete -f runc-c1 >/dev/null 2>&1
rmdir $CG/runc/c1 $CG/runc 2>/dev/null

# --- LXC -------------------------------------------------------------------
# The root without cpufeat again, as runc found it (no cgroup below has
# enabled it): LXC enables every controller the root lists by itself.
echo -cpufeat >$CG/cgroup.subtree_control
lxc_root=$(cat $CG/cgroup.subtree_control)
echo "# root cgroup.subtree_control before LXC: '$lxc_root'"
# The guest has no /run: LXC keeps its locks in /run/lxc.
mkdir -p $T/lxc /run/lxc
# lxc_config NAME: the container's configuration, as the guide shows it
# (no network: the guest kernel has no veth; no AppArmor, no seccomp).
lxc_config() {
	cat >"$T/$1.conf" <<CONF
lxc.rootfs.path = dir:$T/bundle/rootfs
lxc.mount.auto = proc:rw
lxc.net.0.type = empty
lxc.console.path = none
lxc.cgroup2.cpufeat.hwcap = $HIDE
CONF
}
lxc_config lxc-c1
run_shown $T/lxc.out lxc-execute -n lxc-c1 -P $T/lxc -f $T/lxc-c1.conf \
	-o $T/lxc-c1.log -- /bin/cpufeat_probe --check
[ $st = 0 ] || show $T/lxc-c1.log
ktap_check "lxc: lxc-execute with lxc.cgroup2.cpufeat.hwcap: the program sees the filtered view (status $st)" \
	eval "[ $st = 0 ] && is_view $T/lxc.out"
ktap_check "lxc: enabled cpufeat in the root's subtree_control itself (before: '$lxc_root')" \
	eval "! echo '$lxc_root' | grep -qw cpufeat && grep -qw cpufeat $CG/cgroup.subtree_control"

# A running container (lxc-start, init /bin/sleep): its init's view, the
# value lxc-cgroup reads, and a program lxc-attach executes in it.
lxc_config lxc-d
echo "lxc.init.cmd = /bin/sleep 120" >>$T/lxc-d.conf
run_shown $T/lxc-d.out lxc-start -n lxc-d -P $T/lxc -f $T/lxc-d.conf -o $T/lxc-d.log
pid=$(lxc-info -n lxc-d -P $T/lxc -p -H 2>/dev/null)
cat /proc/"${pid:-0}"/cpufeat >$T/lxc-d.view 2>&1
ktap_check "lxc: lxc-start: the container's init (pid $pid) has the filtered view (status $st)" \
	eval "[ $st = 0 ] && is_view $T/lxc-d.view"
lxc-cgroup -n lxc-d -P $T/lxc cpufeat.hwcap >$T/lxc-d.hwcap 2>/dev/null
ktap_check "lxc: lxc-cgroup reads the container's cpufeat.hwcap, without the hidden features" \
	lacks $T/lxc-d.hwcap
# A loaded machine may keep the container's command socket from answering
# at first ("Connection refused - Failed to get init pid"): a few tries.
for _ in 1 2 3 4 5; do
	lxc-attach -n lxc-d -P $T/lxc -- /bin/cpufeat_probe --check </dev/null >$T/lxc-att.out 2>&1
	st=$?
	[ $st != 0 ] || break
	sleep 2
done
show $T/lxc-att.out
ktap_check "lxc: a program lxc-attach executes in the container sees the filtered view (status $st)" \
	eval "[ $st = 0 ] && is_view $T/lxc-att.out"
lxc-stop -n lxc-d -P $T/lxc -k >/dev/null 2>&1

# A value the kernel refuses: the container does not start.
sed 's/^lxc.cgroup2.cpufeat.hwcap = .*/lxc.cgroup2.cpufeat.hwcap = -no_such_feature/' \
	$T/lxc-c1.conf >$T/lxc-bad.conf
run_shown $T/lxc-bad.out lxc-execute -n lxc-bad -P $T/lxc -f $T/lxc-bad.conf \
	-o $T/lxc-bad.log -- /bin/cpufeat_probe --check
ktap_check "lxc: a bad value: lxc-execute fails (status $st), 'Failed to set \"cpufeat.hwcap\"', the program is not run" \
	eval "[ $st != 0 ] && grep -q 'Failed to set \"cpufeat.hwcap\"' $T/lxc-bad.out && ! grep -q '^fpu' $T/lxc-bad.out"
rmdir $CG/lxc.pivot 2>/dev/null
# The sections below expect cpufeat enabled in the root.
echo +cpufeat >$CG/cgroup.subtree_control

# --- crun ------------------------------------------------------------------
# Without +cpufeat in the parent: crun refuses, clearly.
bundle_config /crun-no/c1 "$HIDE"
run_shown $T/crun-no.out crun run --no-pivot -b $T/bundle crun-no
ktap_check "crun: a parent without +cpufeat: fails (status $st) with 'controller \`cpufeat\` is not available'" \
	eval "[ $st != 0 ] && grep -q 'controller .cpufeat. is not available' $T/crun-no.out"
crun delete -f crun-no >/dev/null 2>&1
rmdir $CG/crun-no/c1 $CG/crun-no 2>/dev/null

# With it (the guide's recipe): the container sees the filtered view.
mkdir -p $CG/crun
echo +cpufeat >$CG/crun/cgroup.subtree_control
bundle_config /crun/c1 "$HIDE"
run_shown $T/crun.out crun run --no-pivot -b $T/bundle crun-c1
ktap_check "crun: with +cpufeat in the parent the entrypoint sees the filtered view (status $st)" \
	eval "[ $st = 0 ] && is_view $T/crun.out"
crun delete -f crun-c1 >/dev/null 2>&1

# --- libcgroup (cgroup-tools) ------------------------------------------------
cgcreate -g cpufeat:/eco/a/b >$T/lcg.out 2>&1
ktap_check "libcgroup: cgcreate -g cpufeat:/eco/a/b" test -f $CG/eco/a/b/cpufeat.hwcap
show $T/lcg.out
run_shown $T/lcg.out cgset -r cpufeat.hwcap="$HIDE" /eco/a/b
ktap_check "libcgroup: cgset -r cpufeat.hwcap='$HIDE' writes the file (status $st)" \
	eval "[ $st = 0 ] && lacks $CG/eco/a/b/cpufeat.hwcap"
# cgget prints a long value in chunks of 100 bytes, each further chunk on
# a line of its own after a tab (even inside a word): join them.
cgget -n -v -r cpufeat.hwcap.effective /eco/a/b | tr -d '\n\t' >$T/lcg.eff
tr -d '\n' <$CG/eco/a/b/cpufeat.hwcap.effective >$T/lcg.file
ktap_check "libcgroup: cgget reads cpufeat.hwcap.effective, without the hidden features" \
	lacks $T/lcg.eff
ktap_check "libcgroup: cgget prints what the file holds (chunks joined)" \
	same_words $T/lcg.eff $T/lcg.file
run_shown $T/lcg.probe cgexec -g cpufeat:/eco/a/b cpufeat_probe --check
ktap_check "libcgroup: cgexec -g cpufeat:/eco/a/b: the program's auxv and CPUID agree with the filtered view (status $st)" \
	eval "[ $st = 0 ] && is_view $T/lcg.probe"
cgexec -g cpufeat:/eco/a/b cat /proc/self/cpufeat >$T/lcg.view 2>&1
ktap_check "libcgroup: cgexec'd program's /proc/self/cpufeat is the filtered view" is_view $T/lcg.view
before=$(cat $CG/eco/a/b/cpufeat.hwcap)
run_shown $T/lcg.bad cgset -r cpufeat.hwcap="-no_such_feature" /eco/a/b
ktap_check "libcgroup: a bad value fails (status $st, libcgroup's error) and changes nothing" \
	eval "[ $st != 0 ] && grep -q 'cgroup modify error' $T/lcg.bad && [ \"\$(cat $CG/eco/a/b/cpufeat.hwcap)\" = '$before' ]"
cat >$T/cgconfig.conf <<CONF
group eco/conf {
	cpufeat {
		cpufeat.hwcap = "$HIDE";
	}
}
CONF
run_shown $T/lcg.conf cgconfigparser -l $T/cgconfig.conf
ktap_check "libcgroup: cgconfigparser creates and sets a cgconfig.conf group (status $st)" \
	eval "[ $st = 0 ] && lacks $CG/eco/conf/cpufeat.hwcap"

# --- CRIU ------------------------------------------------------------------
# Not a test: "criu check" also fails for features the guest kernel
# lacks and CRIU does not need here (tun, veth, SO_BINDTODEVICE).
criu check >$T/criu-check.out 2>&1
echo "# criu check (diagnostic only): status $?"
show $T/criu-check.out

# The fleet baseline the container was masked with, saved for the check
# before restore: this machine and a weaker x86-64-v2 one.
cpufeat list --save $T/here.feat
cpufeat baseline --save $T/fleet.feat $T/here.feat x86-64-v2 >/dev/null 2>&1
run_shown $T/check-fleet.out cpufeat check $T/fleet.feat
ktap_check "cpufeat check: this machine can take a checkpoint made under the fleet baseline (status $st)" \
	eval "[ $st = 0 ]"
run_shown $T/check-v4.out cpufeat check x86-64-v4
ktap_check "cpufeat check: a target lacking features of the view is refused before restore (status $st)" \
	eval "[ $st = 1 ] && grep -q '^missing' $T/check-v4.out"

# A masked program: a shell that, each time it is poked, executes
# cpufeat_probe --check (a program exec'd after restore) and otherwise
# sleeps.  Its own view is read from /proc/PID/cpufeat and /proc/PID/auxv.
mkdir -p $CG/criu
echo +cpufeat >$CG/criu/cgroup.subtree_control 2>/dev/null
mkdir -p $CG/criu/job
echo "$HIDE" >$CG/criu/job/cpufeat.hwcap
cat >$T/job.sh <<'JOB'
while :; do
	if [ -e /tmp/eco/poke ]; then
		rm -f /tmp/eco/poke
		cpufeat_probe --check >/tmp/eco/job.probe 2>&1
		echo "status=$?" >>/tmp/eco/job.probe
	fi
	sleep 1
done
JOB
setsid cgexec -g cpufeat:/criu/job sh $T/job.sh </dev/null >$T/job.log 2>&1 &
pid=$!
# Until cgexec has executed the shell (busybox) in the cgroup.
i=0
while [ "$(readlink /proc/$pid/exe)" != /bin/busybox ] && [ $i -lt 60 ]; do
	sleep 1
	i=$((i + 1))
done
sleep 1
cat /proc/"$pid"/cpufeat >$T/job.view0
od -An -tx8 /proc/"$pid"/auxv >$T/job.auxv0
echo "# job pid $pid, view: $(cat $T/job.view0)"
mkdir -p $T/img
criu dump -t "$pid" -D $T/img -o dump.log -v4 >$T/criu-dump.out 2>&1
st=$?
dumped=$st
[ $st = 0 ] || { show $T/criu-dump.out; grep -E 'Error|Warn' $T/img/dump.log | head -n 20 | sed 's/^/# /'; }
ktap_check "criu dump of the masked program (status $st)" sh -c "[ $st = 0 ] && ! kill -0 $pid 2>/dev/null"
# Restore under the same view: criu itself exec'd in the masked cgroup, so
# the tree it forks inherits that view.
cpufeat check $T/fleet.feat >/dev/null &&
	cgexec -g cpufeat:/criu/job criu restore -d -D $T/img -o restore.log -v4 >$T/criu-restore.out 2>&1
st=$?
[ $dumped = 0 ] || st=$dumped
restored=$st
[ $st = 0 ] || { show $T/criu-restore.out; grep -E 'Error|Warn' $T/img/restore.log | head -n 20 | sed 's/^/# /'; }
ktap_check "criu restore under the same view (status $st)" sh -c "[ $st = 0 ] && kill -0 $pid 2>/dev/null"
cat /proc/"$pid"/cpufeat >$T/job.view1 2>&1
od -An -tx8 /proc/"$pid"/auxv >$T/job.auxv1 2>&1
echo "# restored view: $(cat $T/job.view1)"
ktap_check "criu: the restored program's view (/proc/PID/cpufeat, the filtered one) and auxv are unchanged" \
	eval "[ $restored = 0 ] && is_view $T/job.view0 && cmp -s $T/job.view0 $T/job.view1 && cmp -s $T/job.auxv0 $T/job.auxv1"
touch $T/poke
i=0
while [ ! -s $T/job.probe ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
sleep 1
show $T/job.probe
ktap_check "criu: a program the restored one executes sees the same filtered view (auxv, CPUID)" \
	eval "[ $restored = 0 ] && grep -q '^status=0' $T/job.probe && sed '\$d' $T/job.probe >$T/job.probe.view && is_view $T/job.probe.view"

# Why criu restore runs in the masked cgroup: restored from the root
# cgroup, the same image comes back with criu's own, full view (its auxv,
# restored from the image, still looks masked).
rm -rf $T/img2
mkdir -p $T/img2
criu dump -t "$pid" -D $T/img2 -o dump.log >$T/criu-dump2.out 2>&1 &&
	criu restore -d -D $T/img2 -o restore.log >$T/criu-restore2.out 2>&1
st=$?
[ $st = 0 ] || show $T/criu-dump2.out $T/criu-restore2.out
cat /proc/"$pid"/cpufeat >$T/job.view2 2>&1
echo "# view when restored from the root cgroup: $(cat $T/job.view2)"
ktap_check "criu: restored by a criu outside the masked cgroup, the program gets the full view (status $st)" \
	eval "[ $st = 0 ] && cmp -s $T/job.view2 $T/host-view"
kill "$pid" 2>/dev/null

ktap_finished
