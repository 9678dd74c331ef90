# SPDX-License-Identifier: GPL-2.0
#
# tcpclose: see README.  Main targets:
#   make               the module for KVER (or KDIR) and the CLI
#   make modules-all   the module for every installed Debian kernel, W=1
#   make check         everything, ending with "N passed, N failed, N skipped"
#   make fidelity      the long randomized fidelity run: 10 000 connections
#                      under netem loss per kernel, mirror vs kernel states
#                      (selftests/fidelity/run; KERNEL=6.12, FIDELITY_N=...)
#   make bench         the benchmarks, on both kernels: churn, bulk, memory,
#                      scale, instructions per packet (Documentation/
#                      performance.rst); writes build/bench/results.json
#   make debug-kernel  build the debug kernel (KASAN, lockdep, kmemleak, ...)
#                      from linux-source-6.12 into build/debug-kernel
#   make check-debug   the whole VM suite (stress tests included) on it
#   make demo          boot the test VM and show the module at work
#   make stress        the stress tests on Debian's kernels (load/unload
#                      cycles, parameter churn, dumps under churn)
#   make fuzz          libFuzzer on fsm.c and segment.c, 10 M executions
#                      (selftests/fuzz; make fuzz-check: a short pass)
#   make deps          install the Debian packages the project needs

VERSION := $(shell sed -n 's/^\#define TCPCLOSE_VERSION "\(.*\)"/\1/p' module/version.h)

# The running kernel's build tree if it has one, else the newest installed.
KVER ?= $(shell r=$$(uname -r); \
	  if [ -d /lib/modules/$$r/build ]; then echo $$r; else \
	  ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1 | cut -d/ -f4; fi)
KDIR ?= /lib/modules/$(KVER)/build
# Every installed Debian kernel with headers: what modules-all builds for.
KVERS_ALL ?= $(shell ls -d /lib/modules/*-amd64/build 2>/dev/null | cut -d/ -f4 | sort -V)

BUILD := $(CURDIR)/build
LINUX_SRC_TAR ?= /usr/src/linux-source-6.12.tar.xz
# Files taken from linux-source-6.12 at build time (never committed).
LINUX_FILES := \
	tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h \
	tools/testing/selftests/kselftest/ktap_helpers.sh \
	tools/testing/selftests/net/lib.sh \
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch \
	tools/net/ynl/ynl-gen-c.py tools/net/ynl/lib \
	Documentation/netlink/genetlink-legacy.yaml
LINUX_STAMP := $(BUILD)/linux/.stamp-$(shell echo $(LINUX_FILES) | md5sum | cut -c1-8)

DEPS := gcc make libc6-dev kmod xz-utils cpio git \
	linux-headers-amd64 linux-image-amd64 \
	linux-headers-6.12-amd64 linux-image-6.12-amd64 linux-source-6.12 \
	qemu-system-x86 busybox-static bpftrace nftables iproute2 \
	python3 python3-scapy python3-yaml python3-jsonschema libmnl-dev pkg-config sparse iperf3 hping3 socat \
	dkms groff-base man-db prometheus valgrind \
	bc bison flex libelf-dev libssl-dev dwarves \
	clang-14 libclang-rt-14-dev llvm-14

all: module cli

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

cli:
	$(MAKE) -C tools TCPCLOSE_VERSION=$(VERSION)

# One output tree per kernel: a symlink farm of the sources (never of an
# in-tree build's objects), built there.
MODULE_SOURCES = $(filter-out %.mod.c,\
		 $(wildcard $(CURDIR)/module/*.[ch] $(CURDIR)/module/Kbuild))
modules-all:
	@[ -n "$(KVERS_ALL)" ] || { echo "no kernel headers installed (run: make deps)"; exit 1; }
	@set -e; dk=$$(cat $(DEBUG_KERNEL_DIR)/release 2>/dev/null || true); \
	for k in $(KVERS_ALL); do \
		kd=/lib/modules/$$k/build; \
		[ "$$k" = "$$dk" ] && kd=$(DEBUG_KERNEL_DIR)/linux; \
		o=$(BUILD)/modules/$$k; mkdir -p $$o/module/uapi/linux; \
		find $$o -type l -delete; \
		ln -sf $(CURDIR)/Kbuild $$o/; \
		ln -sf $(MODULE_SOURCES) $$o/module/; \
		ln -sf $(CURDIR)/module/uapi/linux/*.h $$o/module/uapi/linux/; \
		echo "  MODULE  $$k"; \
		$(MAKE) -s -C $$kd M=$$o W=1 modules; \
	done

# The debug kernel (selftests/debug-kernel, its config selftests/debug.config):
# built once, about 30 min on 2 cores; rebuilt when its merged config changes.
DEBUG_KERNEL_DIR ?= $(BUILD)/debug-kernel
debug-kernel: deps-if-root
	@TCPCLOSE_DEBUG_KERNEL_DIR=$(DEBUG_KERNEL_DIR) selftests/debug-kernel

# tcpclose.ko for the debug kernel: build/modules/<its release>/.
module-debug:
	@[ -s $(DEBUG_KERNEL_DIR)/release ] || \
		{ echo "debug kernel not built (run: make debug-kernel)"; exit 1; }
	@$(MAKE) -s modules-all KVERS_ALL=$$(cat $(DEBUG_KERNEL_DIR)/release)

# The whole VM suite, stress tests included, on the debug kernel, with a
# kmemleak scan after each test (selftests/run_tests), dealt to
# CHECK_DEBUG_SHARDS (2) VMs running at once.
check-debug: debug-kernel
	@CHECK_DEBUG=1 VM_DEBUG_KERNEL_DIR=$(DEBUG_KERNEL_DIR) selftests/check

kselftest-headers: $(LINUX_STAMP)

$(LINUX_STAMP):
	@[ -r $(LINUX_SRC_TAR) ] || { echo "$(LINUX_SRC_TAR) missing (run: make deps)"; exit 1; }
	@echo "  EXTRACT $(notdir $(LINUX_SRC_TAR)) -> build/linux"
	@rm -rf $(BUILD)/linux && mkdir -p $(BUILD)/linux
	@tar -xJf $(LINUX_SRC_TAR) -C $(BUILD)/linux --strip-components=1 \
		$(addprefix linux-source-6.12/,$(LINUX_FILES))
	@touch $@

# The netlink code generated from the YAML spec (selftests/ynl-gen).
regen: $(LINUX_STAMP)
	selftests/ynl-gen module

# Fails when a generated file differs from what the spec gives now, or
# when the spec's counters are not /proc's (module/counters.c), in order.
regen-check: $(LINUX_STAMP)
	@rm -rf $(BUILD)/regen && selftests/ynl-gen $(BUILD)/regen
	@for f in genl.c genl.h uapi/linux/tcpclose.h; do \
		cmp -s $(BUILD)/regen/$$f module/$$f || \
		{ echo "module/$$f is stale or edited: run make regen"; exit 1; }; \
	done; echo "regen-check: module/genl.[ch], uapi/linux/tcpclose.h up to date"
	@sed -n 's/^\t\[TCPCLOSE_CNT_[A-Z0-9_]*\]\s*= "\(.*\)",/\1/p' \
		module/counters.c | tr _ - >$(BUILD)/regen/proc-counters
	@/usr/bin/python3 -c 'import sys, yaml; \
		s = yaml.safe_load(open("Documentation/netlink/specs/tcpclose.yaml")); \
		c = [a for a in s["attribute-sets"] if a["name"] == "counters"][0]; \
		print("\n".join(a["name"] for a in c["attributes"][1:]))' \
		>$(BUILD)/regen/spec-counters
	@diff -u $(BUILD)/regen/proc-counters $(BUILD)/regen/spec-counters || \
		{ echo "the spec's counters differ from module/counters.c"; exit 1; }
	@echo "regen-check: the spec's $$(wc -l <$(BUILD)/regen/spec-counters) counters are /proc's"

unit: $(LINUX_STAMP)
	$(MAKE) -C selftests/unit run

# Instructions per packet of segment.c and fsm.c on the host, under
# callgrind (selftests/bench); insns-check fails above the limit kept there.
insns:
	$(MAKE) -s -C selftests/bench insns

insns-check:
	$(MAKE) -s -C selftests/bench check

# The stress tests (selftests/Makefile STRESS_PROGS; make check-debug runs
# them too), on Debian's kernels, both VMs at once.
STRESS_KERNELS ?= 6.1 6.12
stress: deps-if-root
	$(MAKE) -s all kselftest-headers selftests-bin
	$(MAKE) -s modules-all
	@mkdir -p $(BUILD)/stress
	@tests=$$($(MAKE) -s --no-print-directory -C selftests print-stress); \
	pids=; for k in $(STRESS_KERNELS); do \
		echo "  STRESS  $$k (log: build/stress/$$k.log)"; \
		selftests/vm/run --kernel $$k --timeout 2400 -- \
			selftests/run_tests $$tests >$(BUILD)/stress/$$k.log 2>&1 & \
		pids="$$pids $$!"; \
	done; fail=0; for p in $$pids; do wait $$p || fail=1; done; \
	for k in $(STRESS_KERNELS); do echo "$$k: $$(tail -n 1 $(BUILD)/stress/$$k.log)"; done; \
	[ $$fail = 0 ]

# libFuzzer over fsm.c and segment.c on the host (selftests/fuzz,
# Documentation/testing.rst): the long run with its figures, and the short
# KTAP pass.
fuzz:
	$(MAKE) -s -C selftests/fuzz fuzz

fuzz-check:
	$(MAKE) -s -C selftests/fuzz check

selftests-bin: $(LINUX_STAMP)
	$(MAKE) -C selftests all

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all $(words $(DEPS)) packages present"; exit 0; fi; \
	echo "deps: installing" $$missing; \
	[ "$$(id -u)" = 0 ] || { echo "deps: need root to install: $$missing"; exit 1; }; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $$missing

# make deps first when root: check and demo must work on a fresh machine.
deps-if-root:
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) -s deps; fi

check: deps-if-root
	@selftests/check

demo: deps-if-root
	@selftests/demo

# The long fidelity run (Documentation/fidelity.rst); make check has the
# small one (selftests/fidelity.sh).  Needs the module and the helpers.
fidelity:
	$(MAKE) -s all kselftest-headers selftests-bin
	$(MAKE) -s modules-all
	selftests/fidelity/run

# The benchmarks (Documentation/performance.rst): one VM boot per kernel,
# one vCPU, its clock on its instruction count (--icount), so that the
# figures measure work whatever the host's load: the kernels' VMs run at
# once.  Then the host's instruction count and the report.  make check
# runs a smoke pass (selftests/bench_smoke.sh).
BENCH_KERNELS ?= 6.1 6.12
bench: deps-if-root
	$(MAKE) -s all kselftest-headers selftests-bin
	$(MAKE) -s modules-all
	@mkdir -p $(BUILD)/bench
	@pids=; for k in $(BENCH_KERNELS); do \
		echo "  BENCH   $$k (log: build/bench/$$k.log)"; \
		selftests/vm/run --kernel $$k --cpus 1 --icount --mem 3072 \
			--timeout 3600 -- selftests/bench/bench.sh \
			-o $(BUILD)/bench/$$k.json >$(BUILD)/bench/$$k.log 2>&1 & \
		pids="$$pids $$!"; \
	done; fail=0; for p in $$pids; do wait $$p || fail=1; done; \
	for k in $(BENCH_KERNELS); do grep '^# ' $(BUILD)/bench/$$k.log | \
		sed "s/^# /$$k: /"; done; \
	[ $$fail = 0 ] || { echo "bench: a VM run failed (build/bench/*.log)"; exit 1; }
	@insns=$$($(MAKE) -s -C selftests/bench insns | \
		sed -n 's/^insns_per_packet: //p'); \
	/usr/bin/python3 selftests/bench/report.py -o $(BUILD)/bench/results.json \
		--insns "$$insns" $(BENCH_KERNELS:%=$(BUILD)/bench/%.json)

# Our sources only: kbuild's generated tcpclose.mod.c is not ours.  trace.h
# is left out: TRACE_EVENT()'s layout (lines ending in "TP_STRUCT__entry(",
# field-list macros) is the one include/trace/events/ uses, and checkpatch
# accepts it only at that path.  The YNL output (GEN_SRCS) is left out too:
# its layout is the generator's, and regen-check proves it is unedited.
GEN_SRCS = module/genl.c module/genl.h module/uapi/linux/tcpclose.h
MODULE_SRCS = $(filter-out %.mod.c module/trace.h $(GEN_SRCS),\
		$(wildcard module/*.[ch] module/uapi/linux/*.h))

checkpatch: $(LINUX_STAMP)
	perl $(BUILD)/linux/scripts/checkpatch.pl --no-tree --strict --terse \
		-f $(MODULE_SRCS)

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools clean
	rm -rf $(BUILD)

.PHONY: all module cli modules-all kselftest-headers regen regen-check unit insns insns-check \
	fuzz fuzz-check stress \
	selftests-bin deps \
	deps-if-root check demo fidelity bench checkpatch sparse clean \
	debug-kernel module-debug check-debug
