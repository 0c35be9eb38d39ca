#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The eco suite's podman and Docker parts, in the x86_64 guest booted with
# "vm --containers" (busybox sh, as root; guest.sh runs it):
#
#   containers.sh podman   podman 4.3: --cgroup-conf cpufeat.hwcap=... on
#                          podman run, create + start, a container of a
#                          pod, and a bad value
#   containers.sh docker   Docker 20.10 (cgroupfs driver): docker run
#                          --cgroup-parent= a cgroup whose cpufeat.hwcap
#                          holds the mask
#
# Each runs the recipes of the "podman" and "Docker" sections of
# Documentation/admin-guide/cgroup-v2-cpufeat-containers.rst command for
# command, and prints KTAP.  No registry is reachable: the image is
# imported from a tar of a busybox rootfs holding the guest's static
# cpufeat_probe, whose entrypoint (/bin/view) prints what the program in
# the container is told: CPUID (cpufeat_probe --cpuid), AT_HWCAP and
# AT_HWCAP2 from its auxv, and its view (/proc/self/cpufeat, checked
# against the auxv and CPUID by cpufeat_probe --check, the last line).
#
# HIDE is what the tests hide: a feature this CPU (QEMU TCG "max") has.

HIDE=${HIDE:-avx2}
T=/tmp/eco-containers
CG=/sys/fs/cgroup
IMAGE=cpufeat-view
LIB=${CPUFEAT_LIB:-/usr/lib/cpufeat}
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "$LIB/ktap.sh"

show() {
	sed 's/^/# /' "$@"
}
# masked FILE: FILE is what /bin/view printed in a container hiding
# $HIDE: CPUID does not report it and the view (last line) is the
# reference view, which lacks it.
masked() {
	grep -q '^cpuid:' "$1" || { echo "# $1: no output of the entrypoint"; show "$1"; return 1; }
	! grep '^cpuid:' "$1" | grep -qw "$HIDE" || { echo "# CPUID still reports $HIDE"; show "$1"; return 1; }
	[ "$(tail -n 1 "$1")" = "$(cat $T/ref-view)" ] ||
		{ echo "# $1 is not the reference view:"; show "$1"; return 1; }
}
# unmasked FILE: CPUID reports $HIDE and the view names it.
unmasked() {
	grep '^cpuid:' "$1" | grep -qw "$HIDE" || { echo "# CPUID does not report $HIDE"; show "$1"; return 1; }
	tail -n 1 "$1" | grep -qw "$HIDE" || { echo "# the view lacks $HIDE"; show "$1"; return 1; }
}
# run_check OUT VERDICT DESC CMD...: CMD, its output in $T/OUT and shown;
# the result DESC: ok if CMD exited 0 and VERDICT (masked, unmasked or
# true) holds for that output.
run_check() {
	out=$T/$1 verdict=$2 desc=$3
	shift 3
	"$@" >"$out" 2>&1
	st=$?
	show "$out"
	ktap_check "$desc (status $st)" eval "[ $st = 0 ] && $verdict $out"
}
# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS.
wait_for() {
	_n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$_n" -gt 0 ] || return 1
		sleep 1
		_n=$((_n - 1))
	done
}

# The image: a busybox rootfs, the static probe and the entrypoint.
make_image_tar() {
	mkdir -p $T/rootfs/bin $T/rootfs/proc $T/rootfs/dev $T/rootfs/sys \
		$T/rootfs/tmp $T/rootfs/etc
	cp /bin/busybox "$(command -v cpufeat_probe)" $T/rootfs/bin/
	for p in sh cat echo sleep; do ln -sf busybox $T/rootfs/bin/$p; done
	cat >$T/rootfs/bin/view <<'VIEW'
#!/bin/sh
echo "cpuid: $(cpufeat_probe --cpuid)"
echo "auxv: $(cpufeat_probe --hwcap)"
cpufeat_probe --check
VIEW
	chmod 755 $T/rootfs/bin/view
	tar -C $T/rootfs -cf $T/view.tar .
}

# The reference view: a program exec'd in a cgroup hiding $HIDE.
make_ref_view() {
	echo +cpufeat >$CG/cgroup.subtree_control
	mkdir -p $CG/ct-ref
	echo "-$HIDE" >$CG/ct-ref/cpufeat.hwcap
	sh -c "echo \$\$ >$CG/ct-ref/cgroup.procs && exec cat /proc/self/cpufeat" >$T/ref-view
	echo "# reference view: $(cat $T/ref-view)"
	rmdir $CG/ct-ref
}

# --- podman ----------------------------------------------------------------
podman_part() {
	ktap_plan 9
	# Root, cgroupfs manager (no systemd in this guest), vfs storage,
	# no network; the guest's root is the initramfs, where pivot_root
	# is refused: no_pivot_root.
	mkdir -p /etc/containers /var/lib/containers /run/containers /var/tmp
	cat >/etc/containers/storage.conf <<'CONF'
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF
	cat >/etc/containers/containers.conf <<'CONF'
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
no_pivot_root = true
CONF
	cat >/etc/containers/policy.json <<'JSON'
{ "default": [ { "type": "insecureAcceptAnything" } ] }
JSON

	run_check pm-import.out true "podman: import of the image" \
		podman import --change 'CMD ["/bin/view"]' $T/view.tar $IMAGE
	run_check pm-run.out masked \
		"podman run --cgroup-conf cpufeat.hwcap=-$HIDE: the entrypoint sees the filtered view" \
		podman run --rm --network=none --cgroup-conf cpufeat.hwcap="-$HIDE" $IMAGE
	run_check pm-ctl.out unmasked "podman run without --cgroup-conf: the entrypoint sees $HIDE" \
		podman run --rm --network=none $IMAGE

	podman create --name pm-c1 --network=none --cgroup-conf cpufeat.hwcap="-$HIDE" $IMAGE >$T/pm-create.out 2>&1 &&
		podman start -a pm-c1 >$T/pm-start.out 2>&1
	st=$?
	show $T/pm-create.out $T/pm-start.out
	ktap_check "podman create --cgroup-conf cpufeat.hwcap=-$HIDE, podman start -a: the filtered view (status $st)" \
		eval "[ $st = 0 ] && masked $T/pm-start.out"
	run_check pm-start2.out masked "podman start -a again: the filtered view again" \
		podman start -a pm-c1
	podman rm -f pm-c1 >/dev/null 2>&1

	# A pod without an infra container: in this guest the pause
	# container's crun cannot mknod /dev/null (EPERM).
	podman pod create --infra=false --name pm-pod >$T/pm-pod.out 2>&1 &&
		podman run --rm --pod pm-pod --network=none --cgroup-conf cpufeat.hwcap="-$HIDE" \
			$IMAGE >$T/pm-podrun.out 2>&1
	st=$?
	show $T/pm-pod.out $T/pm-podrun.out
	ktap_check "podman pod create, podman run --pod --cgroup-conf cpufeat.hwcap=-$HIDE: the filtered view (status $st)" \
		eval "[ $st = 0 ] && masked $T/pm-podrun.out"
	podman pod rm -f pm-pod >/dev/null 2>&1

	# A bad value: podman's error, the program does not run, no
	# container is left and the parent's cpufeat.hwcap is unchanged.
	parent=$CG/libpod_parent
	before=$(cat $parent/cpufeat.hwcap 2>&1)
	podman run --name pm-bad --network=none --cgroup-conf cpufeat.hwcap=+nosuchfeature \
		$IMAGE >$T/pm-bad.out 2>&1
	st=$?
	show $T/pm-bad.out
	ktap_check "podman run --cgroup-conf cpufeat.hwcap=+nosuchfeature: fails (status $st) naming cpufeat.hwcap, the program is not run" \
		eval "[ $st != 0 ] && grep -q cpufeat.hwcap $T/pm-bad.out && ! grep -q '^cpuid:' $T/pm-bad.out"
	podman ps -q >$T/pm-ps.out 2>&1
	ktap_check "podman: after the bad value no container runs" eval "[ ! -s $T/pm-ps.out ] || { show $T/pm-ps.out; false; }"
	ktap_check "podman: after the bad value $parent/cpufeat.hwcap is unchanged ('$before')" \
		eval "[ \"\$(cat $parent/cpufeat.hwcap 2>&1)\" = '$before' ]"
	podman rm -f pm-bad >/dev/null 2>&1
}

# --- Docker ----------------------------------------------------------------
docker_part() {
	ktap_plan 5
	# cgroupfs driver, vfs storage, no networking (no bridge, no
	# iptables); DOCKER_RAMDISK: the guest's root is the initramfs,
	# where pivot_root is refused.
	mkdir -p /var/lib/docker /run /etc/docker
	DOCKER_RAMDISK=true setsid dockerd --iptables=false --ip6tables=false --bridge=none \
		--storage-driver=vfs --exec-opt native.cgroupdriver=cgroupfs \
		</dev/null >$T/dockerd.log 2>&1 &
	wait_for 300 docker info
	st=$?
	[ $st = 0 ] || tail -n 30 $T/dockerd.log | show
	ktap_check "docker: dockerd (cgroupfs driver, vfs) answers (status $st)" eval "[ $st = 0 ]"

	run_check dk-import.out true "docker: import of the image" \
		docker import --change 'CMD ["/bin/view"]' $T/view.tar $IMAGE

	# The parent cgroup holds the mask.
	echo +cpufeat >$CG/cgroup.subtree_control
	mkdir -p $CG/cpufeat-test
	echo "-$HIDE" >$CG/cpufeat-test/cpufeat.hwcap
	run_check dk-run.out masked \
		"docker run --cgroup-parent=/cpufeat-test (cpufeat.hwcap -$HIDE): the filtered view" \
		docker run --rm --network=none --cgroup-parent=/cpufeat-test $IMAGE
	run_check dk-ctl.out unmasked "docker run without --cgroup-parent: $HIDE seen" \
		docker run --rm --network=none $IMAGE

	docker run -d --name dk-c1 --network=none --cgroup-parent=/cpufeat-test $IMAGE sleep 60 >$T/dk-d.out 2>&1
	st=$?
	pid=$(docker inspect -f '{{.State.Pid}}' dk-c1 2>/dev/null)
	cat /proc/"${pid:-0}"/cgroup >$T/dk-d.cg 2>&1
	cat /proc/"${pid:-0}"/cpufeat >$T/dk-d.view 2>&1
	show $T/dk-d.out $T/dk-d.cg
	ktap_check "docker run -d --cgroup-parent=/cpufeat-test: the container (pid $pid) is in a cgroup below it, with the filtered view (status $st)" \
		eval "[ $st = 0 ] && grep -q '^0::/cpufeat-test/' $T/dk-d.cg && [ \"\$(cat $T/dk-d.view)\" = \"\$(cat $T/ref-view)\" ]"
	docker rm -f dk-c1 >/dev/null 2>&1
	docker rmi -f $IMAGE >/dev/null 2>&1
}

mkdir -p $T
cd $T || exit 1
ktap_header
make_image_tar
make_ref_view
case "${1:-}" in
podman) podman_part ;;
docker) docker_part ;;
*)
	echo "usage: containers.sh podman|docker" >&2
	exit 2
	;;
esac
ktap_finished
