#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The systemd suite's part, in the Debian 12 guest with systemd as PID 1
# (run by cpufeat-run as part "systemd", from the unit boot.sh adds).  The
# kernel command line says which systemd runs ("cpufeat.mode=patched":
# ours, AllowedCPUFeatures=; "cpufeat.mode=stock": Debian's, the no-patch
# recipe of Documentation/admin-guide/cgroup-v2-cpufeat-containers.rst).
# Prints KTAP, its plan last (the tests depend on the mode).
# The sh -c scripts below expand their variables in the inner shell.
# shellcheck disable=SC2016
set -u
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. /usr/lib/cpufeat/ktap.sh

CG=/sys/fs/cgroup
PROBE=/usr/local/bin/cpufeat_probe
OUT=/run/cpufeat
mode=$(sed -n 's/.*cpufeat\.mode=\([a-z]*\).*/\1/p' /proc/cmdline)
mkdir -p "$OUT"
ktap_header

# has FILE WORD...: FILE exists and holds every WORD; lacks: none of them.
has() { words has "$@"; }
lacks() { words lacks "$@"; }
# words has|lacks FILE WORD...: has and lacks.
words() {
	local want=$1 f=$2 w found
	shift 2
	[ -f "$f" ] || { echo "$f: missing"; return 1; }
	for w in "$@"; do
		found=lacks
		grep -qw -- "$w" "$f" && found=has
		[ $found = "$want" ] || { echo "$f $found $w: $(head -c 600 "$f")"; return 1; }
	done
}

# probe_ok FILE HIDDEN VISIBLE: a cpufeat_probe --check run's output
# (exit status on the last line, "rc=N") shows a view that agrees with
# auxv and CPUID, without the HIDDEN features and with the VISIBLE ones.
probe_ok() {
	local f=$1 hidden=$2 visible=$3
	grep -qx 'rc=0' "$f" || { cat "$f"; return 1; }
	# shellcheck disable=SC2086 # word lists
	lacks "$f" $hidden && has "$f" $visible
}

# Run a unit to its end; its output and exit status go to $OUT/NAME.
start() {
	local u=$1 rc=0
	systemctl start "$u" || rc=$?
	echo "rc=$(systemctl show -P ExecMainStatus "$u")" >>"$OUT/${u%.*}.out"
	return $rc
}

# Wait for PID 1 to answer again after daemon-reexec.
wait_manager() {
	local _
	for _ in $(seq 100); do
		systemctl show -P Version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "PID 1 does not answer"
	return 1
}

# The exec-time view of a running process.
view_of() {
	cat "/proc/$1/cpufeat"
}

probe_unit() {
	cat >"/etc/systemd/system/$1" <<EOF
[Service]
Type=oneshot
$2
ExecStart=$PROBE --check
StandardOutput=truncate:$OUT/${1%.*}.out
StandardError=inherit
EOF
}

ktap_check "PID 1 is systemd" test "$(cat /proc/1/comm)" = systemd
ktap_check "the unmasked CPU has avx2, aes and sse2 (root cpufeat.hwcap.effective)" \
	has $CG/cpufeat.hwcap.effective avx2 aes sse2

if [ "$mode" = patched ]; then
	# dpkg: our PID 1, systemctl and systemd-run replace Debian's.
	ktap_check "PID 1, systemctl and systemd-run are ours, the rest of systemd Debian's" \
		sh -c 'v=$(dpkg --verify systemd | grep -v "^missing "); echo "$v";
		       [ "$(echo "$v" | sed "s/.* //" | sort | tr "\n" " ")" = "/bin/systemctl /lib/systemd/systemd /usr/bin/systemd-run " ]'

	# A slice with the property, a service in it.
	cat >/etc/systemd/system/fleet.slice <<EOF
[Slice]
AllowedCPUFeatures=-avx2 -aes
EOF
	probe_unit probe-fleet.service "Slice=fleet.slice"
	probe_unit probe-root.service ""
	systemctl daemon-reload
	start probe-fleet.service
	ktap_check "slice: systemd enabled cpufeat in the root's cgroup.subtree_control" \
		has $CG/cgroup.subtree_control cpufeat
	ktap_check "slice: fleet.slice/cpufeat.hwcap hides avx2 and aes" \
		eval "has $CG/fleet.slice/cpufeat.hwcap sse2 && lacks $CG/fleet.slice/cpufeat.hwcap avx2 aes"
	ktap_check "slice: a service in fleet.slice sees neither avx2 nor aes (cpufeat_probe --check)" \
		probe_ok $OUT/probe-fleet.out "avx2 aes" "sse2"
	ktap_check "systemctl show -p AllowedCPUFeatures fleet.slice: -avx2 -aes" \
		sh -c '[ "$(systemctl show -p AllowedCPUFeatures fleet.slice)" = "AllowedCPUFeatures=-avx2 -aes" ]'
	ktap_check "systemctl show -p AllowedCPUFeatures: max where unset" \
		sh -c '[ "$(systemctl show -p AllowedCPUFeatures probe-root.service)" = "AllowedCPUFeatures=max" ]'

	# A transient unit.
	systemd-run --quiet --wait --pipe -p AllowedCPUFeatures=-avx2 $PROBE --check \
		>$OUT/run.out 2>&1
	echo "rc=$?" >>$OUT/run.out
	ktap_check "systemd-run -p AllowedCPUFeatures=-avx2: the program lacks avx2, has aes" \
		probe_ok $OUT/run.out "avx2" "aes sse2"

	# set-property on a running slice: a program running in it keeps
	# the view it started with, programs started afterwards get the new one.
	systemd-run --quiet --unit=sleeper --slice=fleet.slice sleep 1000
	sleep 0.5
	sleeper=$(systemctl show -P MainPID sleeper.service)
	ktap_check "set-property: a program started before sees neither avx2 nor aes" \
		eval "view_of $sleeper >$OUT/sleeper.view && lacks $OUT/sleeper.view avx2 aes"
	ktap_check "set-property fleet.slice AllowedCPUFeatures=-aes succeeds" \
		systemctl set-property fleet.slice AllowedCPUFeatures=-aes
	ktap_check "set-property: fleet.slice/cpufeat.hwcap has avx2 again, still hides aes" \
		eval "has $CG/fleet.slice/cpufeat.hwcap avx2 sse2 && lacks $CG/fleet.slice/cpufeat.hwcap aes"
	dropin=/etc/systemd/system.control/fleet.slice.d/50-AllowedCPUFeatures.conf
	ktap_check "set-property: persisted in $dropin" \
		grep -qx 'AllowedCPUFeatures=-aes' $dropin
	: >$OUT/probe-fleet.out
	start probe-fleet.service
	ktap_check "set-property: a service started afterwards has avx2, lacks aes" \
		probe_ok $OUT/probe-fleet.out "aes" "avx2 sse2"
	ktap_check "set-property: the program started before still lacks avx2 and aes" \
		eval "view_of $sleeper >$OUT/sleeper.view && lacks $OUT/sleeper.view avx2 aes"

	# daemon-reload and daemon-reexec.
	for how in daemon-reload daemon-reexec; do
		systemctl $how
		wait_manager
		: >$OUT/probe-fleet.out
		start probe-fleet.service
		ktap_check "$how: fleet.slice/cpufeat.hwcap still hides aes only" \
			eval "has $CG/fleet.slice/cpufeat.hwcap avx2 && lacks $CG/fleet.slice/cpufeat.hwcap aes"
		ktap_check "$how: systemctl show still says -aes" \
			sh -c '[ "$(systemctl show -p AllowedCPUFeatures fleet.slice)" = "AllowedCPUFeatures=-aes" ]'
		ktap_check "$how: a service in fleet.slice has avx2, lacks aes" \
			probe_ok $OUT/probe-fleet.out "aes" "avx2"
	done

	# Invalid values are refused and change nothing.
	cp $CG/fleet.slice/cpufeat.hwcap $OUT/hwcap.before
	cp $dropin $OUT/dropin.before
	for bad in "max -avx2" "-avx2 sse2" "-avx2 +avx2" "-AVX2" "-" "-nosuchfeature"; do
		systemctl set-property fleet.slice "AllowedCPUFeatures=$bad" >$OUT/bad.err 2>&1
		rc=$?
		ktap_check "invalid AllowedCPUFeatures=$bad: refused, and nothing changed" \
			sh -c "[ $rc != 0 ] && grep -q 'Invalid AllowedCPUFeatures= value\|Invalid argument' $OUT/bad.err &&
			       cmp $CG/fleet.slice/cpufeat.hwcap $OUT/hwcap.before &&
			       cmp $dropin $OUT/dropin.before &&
			       [ \"\$(systemctl show -p AllowedCPUFeatures fleet.slice)\" = AllowedCPUFeatures=-aes ] ||
			       { cat $OUT/bad.err; false; }"
	done
	ktap_check "invalid: the kernel's refusal of an unknown name reaches systemctl" \
		grep -q 'Failed to set AllowedCPUFeatures=-nosuchfeature on fleet.slice: Invalid argument' $OUT/bad.err
	systemd-run --quiet --wait -p "AllowedCPUFeatures=max -aes" true >$OUT/bad.err 2>&1
	rc=$?
	ktap_check "invalid: systemd-run -p AllowedCPUFeatures='max -aes' is refused" \
		sh -c "[ $rc != 0 ] && grep -q 'Invalid AllowedCPUFeatures= value' $OUT/bad.err || { cat $OUT/bad.err; false; }"

	# The empty assignment resets to "max".
	ktap_check "set-property fleet.slice AllowedCPUFeatures= (reset) succeeds" \
		systemctl set-property fleet.slice AllowedCPUFeatures=
	: >$OUT/probe-fleet.out
	start probe-fleet.service
	ktap_check "reset: systemctl show says max, the drop-in is empty, the service sees avx2 and aes" \
		eval "[ \"\$(systemctl show -p AllowedCPUFeatures fleet.slice)\" = AllowedCPUFeatures=max ] &&
		       grep -qx 'AllowedCPUFeatures=' $dropin && probe_ok $OUT/probe-fleet.out '' 'avx2 aes'"
	systemctl stop sleeper.service
fi

# Delegation: the unit's processes enable cpufeat below the unit's cgroup
# and hide avx2 from a child cgroup.
cat >/usr/local/sbin/cpufeat-delegated <<EOF
#!/bin/sh
cg=$CG\$(sed -n 's/^0:://p' /proc/self/cgroup)
mkdir \$cg/supervisor \$cg/job &&
echo \$\$ >\$cg/supervisor/cgroup.procs &&
echo +cpufeat >\$cg/cgroup.subtree_control &&
echo -avx2 >\$cg/job/cpufeat.hwcap &&
sh -c "echo \\\$\\\$ >\$cg/job/cgroup.procs && exec $PROBE --check"
EOF
chmod +x /usr/local/sbin/cpufeat-delegated
for d in yes cpufeat; do
	cat >/etc/systemd/system/deleg-$d.service <<EOF
[Service]
Type=oneshot
Delegate=$d
ExecStart=/usr/local/sbin/cpufeat-delegated
StandardOutput=truncate:$OUT/deleg-$d.out
StandardError=inherit
EOF
done
systemctl daemon-reload
if [ "$mode" = patched ]; then
	for d in yes cpufeat; do
		start deleg-$d.service
		ktap_check "Delegate=$d: DelegateControllers has cpufeat" \
			sh -c "systemctl show -P DelegateControllers deleg-$d.service | grep -qw cpufeat"
		ktap_check "Delegate=$d: the unit enables cpufeat below itself, a child cgroup hides avx2" \
			probe_ok $OUT/deleg-$d.out "avx2" "aes sse2"
	done
fi

if [ "$mode" = stock ]; then
	# The no-patch recipe: /etc/tmpfiles.d/cpufeat.conf, recipe.service
	# and recipe-sleep.service come with the test (boot.sh).
	# (The image has no documentation: dpkg reports it missing.)
	ktap_check "systemd is Debian's (dpkg --verify systemd)" \
		sh -c 'v=$(dpkg --verify systemd | grep -v "^missing "); echo "$v"; [ -z "$v" ]'
	ktap_check "systemd ignores Delegate=cpufeat (unknown controller)" \
		sh -c '! systemctl show -P DelegateControllers deleg-cpufeat.service | grep -qw cpufeat'
	ktap_check "recipe: tmpfiles.d enabled cpufeat in / and system.slice" \
		eval "has $CG/cgroup.subtree_control cpufeat && has $CG/system.slice/cgroup.subtree_control cpufeat"
	# Delegate=yes does not include cpufeat, but with the ancestors'
	# subtree_control set by tmpfiles.d the unit can enable it itself.
	start deleg-yes.service
	ktap_check "recipe: a Delegate=yes unit enables cpufeat below itself, a child cgroup hides avx2" \
		probe_ok $OUT/deleg-yes.out "avx2" "aes sse2"
	start recipe.service
	ktap_check "recipe: ExecStartPre=+ hides avx2 and aes from the service (cpufeat_probe --check)" \
		probe_ok $OUT/recipe.out "avx2 aes" "sse2"
	systemctl start recipe-sleep.service
	f=$CG/system.slice/recipe-sleep.service/cpufeat.hwcap
	ktap_check "recipe: the service's cpufeat.hwcap hides avx2 and aes" \
		eval "has $f sse2 && lacks $f avx2 aes"
	systemctl set-property --runtime recipe-sleep.service TasksMax=1000
	ktap_check "recipe: still enabled after systemd changes system.slice's controllers (TasksMax=)" \
		eval "has $CG/system.slice/cgroup.subtree_control cpufeat pids && has $f sse2"
	for how in daemon-reload daemon-reexec; do
		systemctl $how
		wait_manager
		: >$OUT/recipe.out
		start recipe.service
		ktap_check "recipe: $how keeps cpufeat enabled and the setting" \
			eval "has $CG/cgroup.subtree_control cpufeat && has $CG/system.slice/cgroup.subtree_control cpufeat &&
			       has $f sse2 && lacks $f avx2 aes"
		ktap_check "recipe: after $how a new run of the service lacks avx2 and aes" \
			probe_ok $OUT/recipe.out "avx2 aes" "sse2"
	done
fi

# systemd-nspawn: a container of the image's own /usr (read-only), whose
# program reports its view (cpufeat_probe --check: /proc/self/cpufeat
# agrees with auxv and CPUID; --cpuid: what CPUID says).  Its PID 1 is the
# container's own, so --check cannot compare with init's view: --cpuid
# shows CPUID's answer instead.  nspawn_run NAME ARG...: output in
# $OUT/NAME.out, exit status last ("rc=N").
CT=$OUT/ct
mkdir -p $CT/usr $CT/etc
for d in bin sbin lib lib64; do
	ln -sfn usr/$d $CT/$d
done
cp /etc/os-release $CT/etc/os-release
nspawn_run() {
	local name=$1 rc=0
	shift
	systemd-nspawn --quiet --pipe --register=no -D $CT --bind-ro=/usr "$@" \
		sh -c "$PROBE --check && $PROBE --cpuid" >"$OUT/$name.out" 2>&1 || rc=$?
	echo "rc=$rc" >>"$OUT/$name.out"
}
nspawn_run ns-control
ktap_check "systemd-nspawn: without a setting the container sees avx2 and aes" \
	probe_ok $OUT/ns-control.out "" "avx2 aes sse2"

if [ "$mode" = patched ]; then
	ktap_check "systemd-nspawn is ours, the rest of systemd-container Debian's" \
		sh -c 'v=$(dpkg --verify systemd-container | grep -v "^missing "); echo "$v";
		       [ "$(echo "$v" | sed "s/.* //")" = /usr/bin/systemd-nspawn ]'
	nspawn_run ns-property --property=AllowedCPUFeatures=-avx2
	ktap_check "systemd-nspawn --property=AllowedCPUFeatures=-avx2: the container lacks avx2, has aes" \
		probe_ok $OUT/ns-property.out "avx2" "aes sse2"
	cat >/etc/systemd/system/containers.slice <<EOF
[Slice]
AllowedCPUFeatures=-avx2 -aes
EOF
	systemctl daemon-reload
	nspawn_run ns-slice --slice=containers.slice
	ktap_check "systemd-nspawn --slice=containers.slice (AllowedCPUFeatures=-avx2 -aes): the container lacks both" \
		probe_ok $OUT/ns-slice.out "avx2 aes" "sse2"

	# machinectl: registered with systemd-machined (nspawn's default),
	# the container runs in the scope machined makes, with the property.
	systemd-nspawn --quiet --pipe -D $CT --bind-ro=/usr -M cpufeatct \
		--property=AllowedCPUFeatures=-avx2 sleep 1000 >$OUT/ns-machine.out 2>&1 &
	for _ in $(seq 150); do
		machinectl show cpufeatct >$OUT/machine.show 2>&1 && break
		sleep 0.2
	done
	leader=$(sed -n 's/^Leader=//p' $OUT/machine.show)
	scope=$(sed -n 's/^Unit=//p' $OUT/machine.show)
	ktap_check "machinectl show cpufeatct: the container's scope has AllowedCPUFeatures=-avx2" \
		eval "[ \"\$(systemctl show -p AllowedCPUFeatures '$scope')\" = AllowedCPUFeatures=-avx2 ] ||
		      { cat $OUT/machine.show $OUT/ns-machine.out; false; }"
	ktap_check "machinectl: the container's leader (PID 1, sleep) lacks avx2, has aes" \
		eval "view_of '$leader' >$OUT/leader.view && lacks $OUT/leader.view avx2 && has $OUT/leader.view aes"
	machinectl terminate cpufeatct
else
	nspawn_run ns-property --property=AllowedCPUFeatures=-avx2
	ktap_check "stock systemd-nspawn refuses --property=AllowedCPUFeatures=" \
		eval "! grep -qx 'rc=0' $OUT/ns-property.out && grep -q AllowedCPUFeatures $OUT/ns-property.out ||
		      { cat $OUT/ns-property.out; false; }"
	# The recipe: a oneshot service in the slice writes the slice's file
	# (tmpfiles.d enabled cpufeat in the root).
	cat >/etc/systemd/system/containers-cpufeat.service <<EOF
[Service]
Type=oneshot
RemainAfterExit=yes
Slice=containers.slice
ExecStart=/bin/sh -c 'echo "-avx2 -aes" > /sys/fs/cgroup/containers.slice/cpufeat.hwcap'
EOF
	systemctl daemon-reload
	systemctl start containers-cpufeat.service
	nspawn_run ns-slice --slice=containers.slice
	ktap_check "recipe: systemd-nspawn --slice=containers.slice (cpufeat.hwcap written by a service in it): the container lacks avx2 and aes" \
		probe_ok $OUT/ns-slice.out "avx2 aes" "sse2"
fi

ktap_plan "$KTAP_N"
ktap_finished
