# SPDX-License-Identifier: GPL-2.0
#
# cpufeat: fetch the Debian linux-source-6.12 base, lay the series over it,
# build test kernels for x86_64 and arm64, boot them under QEMU and test.
#
#   make demo     boot the x86_64 guest and show masks in action
#   make demo-migrate  checkpoint on one machine, restore on a weaker one
#   make check    every KUnit suite and kselftest on both architectures
#   make series   export the work as a git-am-able patch series
#   make bench    the benchmarks on both architectures, cpufeat vs baseline

TOP      := $(CURDIR)
BUILD    ?= $(TOP)/build
HARNESS  := $(TOP)/tools/testing/cpufeat
ARCHES   := x86_64 arm64
# Other kernels of the same configuration (setup/build-kernel.sh): debug
# (KASAN, lockdep, ...) and baseline (the base without the series).
FLAVOURS := debug baseline
FLAVOURED := $(foreach a,$(ARCHES),$(foreach f,$(FLAVOURS),$(a)-$(f)))
export TOP BUILD

.PHONY: all deps tree qemu kernel initramfs guest guests check demo demo-arm64 demo-migrate \
	series clean \
	cpufeat-tool check-cpufeat-tool \
	$(addprefix guest-,$(ARCHES)) $(addprefix kernel-,$(ARCHES)) \
	$(addprefix initramfs-,$(ARCHES)) $(addprefix check-,$(ARCHES)) \
	$(addprefix check-,$(addsuffix -debug,$(ARCHES))) \
	$(addprefix kernel-,$(FLAVOURED)) bench $(addprefix bench-,$(ARCHES))

all: guests

# Install the Debian packages the build and the guests need.
deps:
	@$(HARNESS)/setup/install-deps.sh

# build/qemu: Debian's QEMU with CPUID faulting emulated in TCG, which the
# x86_64 guest runs under (tools/testing/cpufeat/setup/qemu/README).  A
# quick no-op once built.
qemu: deps
	@$(HARNESS)/setup/qemu/build.sh

# build/linux: the pristine base with the series applied (a git tree whose
# "base" tag is the pristine package).
tree: deps
	@$(HARNESS)/setup/series.sh apply

# Static pattern rules: make skips implicit rules for .PHONY targets.
$(addprefix kernel-,$(ARCHES)): kernel-%: tree
	@$(HARNESS)/setup/build-kernel.sh $*

# kernel-ARCH-FLAVOUR, e.g. kernel-x86_64-debug.
$(addprefix kernel-,$(FLAVOURED)): kernel-%: tree
	@$(HARNESS)/setup/build-kernel.sh $(subst -, ,$*)

$(addprefix initramfs-,$(ARCHES)): initramfs-%: kernel-%
	@$(HARNESS)/setup/mkinitramfs.sh $*

$(addprefix guest-,$(ARCHES)): guest-%: kernel-% initramfs-%
	@:

# Everything that boots x86_64 (check, demo, vm) goes through guest-x86_64.
guest-x86_64: qemu

guests: $(addprefix guest-,$(ARCHES))

# check.sh builds what it boots itself (make deps, guest-ARCH ...), so
# that it can download and build the systemd and eco images beside the
# kernels.
$(addprefix check-,$(ARCHES)): check-%:
	@$(HARNESS)/check.sh $*

# check-ARCH-debug: the debug kernel's run alone (KASAN, lockdep, ...:
# KUnit, kselftest, the stress run, kmemleak).
$(addprefix check-,$(addsuffix -debug,$(ARCHES))): check-%-debug:
	@$(HARNESS)/check.sh $*-debug

# Everything on both architectures, and the debug kernel's run on x86_64
# (arm64's on demand: it would not fit CI's time as well).
check:
	@$(HARNESS)/check.sh $(ARCHES) x86_64-debug

demo: guest-x86_64
	@$(HARNESS)/suites/demo/demo.sh

# The same on arm64, where the ID registers (MRS) are masked too.
demo-arm64: guest-arm64
	@$(HARNESS)/suites/demo/demo.sh arm64

# The two-machine migration (suites/migrate/run.sh) on one screen: CRIU
# checkpoints on -cpu max, restores on a model without avx and avx2.
demo-migrate: guest-x86_64
	@$(HARNESS)/suites/demo/migrate.sh

# The benchmarks (tools/testing/cpufeat/suites/bench/bench.sh): each
# architecture's cpufeat kernel and its baseline (the base without the
# series) under QEMU -icount; prints one table, writes
# $(BUILD)/bench/results.tsv.
$(addprefix bench-,$(ARCHES)): bench-%: guest-% kernel-%-baseline
	@$(HARNESS)/suites/bench/bench.sh $*

bench: guests $(addprefix kernel-,$(addsuffix -baseline,$(ARCHES)))
	@$(HARNESS)/suites/bench/bench.sh $(ARCHES)

# The cpufeat command-line tool (tools/cpufeat), built in $(BUILD), and
# its host-side tests; make check runs those and its guest test as well.
cpufeat-tool:
	@$(MAKE) --no-print-directory -C tools/cpufeat O=$(BUILD)/cpufeat-tool

check-cpufeat-tool:
	@$(MAKE) --no-print-directory -C tools/cpufeat O=$(BUILD)/cpufeat-tool check

series: tree
	@$(HARNESS)/setup/series.sh export

clean:
	rm -rf $(BUILD)
