# accelkit top level. The two commands README.md promises:
#   make run    boot the VM with the sample accelerator and run the offload demo
#   make test   host unit tests, then the VM integration suite
# Everything installs what it needs first (make deps).

SHELL      := /bin/bash
TOP        := $(CURDIR)
OUT        := $(TOP)/build
CACHE      ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/accelkit
VM_TIMEOUT ?= 1200

.PHONY: all deps qemu kernel kernel-debug debug-kernel initramfs-debug lib samples tests initramfs run vm-shell test-dropins bench bench-host \
	test test-style test-host test-vm test-vm-stock test-vm-la57 test-vm-4level test-vm-debug checkpatch clean

all: kernel lib samples tests

deps:
	@bash scripts/deps.sh

# Resolved lazily, after deps ran.
GUEST_KVER  = $(shell bash scripts/guest-kernel.sh)
QEMU_BIN    = $(shell bash scripts/build-qemu.sh)
DEBUG_KDIR  = $(shell bash scripts/build-debug-kernel.sh)

qemu: deps
	@bash scripts/build-qemu.sh

kernel: deps
	$(MAKE) -C kernel KVER=$(GUEST_KVER)

# The debug guest kernel (KASAN, lockdep, kmemleak) and our modules for it,
# built in a copy of kernel/ so both module sets can coexist.
debug-kernel: deps
	@bash scripts/build-debug-kernel.sh

kernel-debug: debug-kernel
	rm -rf $(OUT)/kernel-debug && mkdir -p $(OUT)
	cp -r kernel $(OUT)/kernel-debug
	$(MAKE) -s -C $(OUT)/kernel-debug KDIR=$(DEBUG_KDIR) clean
	$(MAKE) -C $(OUT)/kernel-debug KDIR=$(DEBUG_KDIR)

lib: deps
	$(MAKE) -C lib

samples: lib
	$(MAKE) -C samples

tests: lib
	$(MAKE) -C tests host vm fuzz

# Guest image: user space installed into a staging tree, plus the modules.
initramfs: kernel lib samples tests
	rm -rf $(OUT)/stage && mkdir -p $(OUT)/stage
	$(MAKE) -s -C lib install DESTDIR=$(OUT)/stage PREFIX=/usr
	$(MAKE) -s -C samples install DESTDIR=$(OUT)/stage PREFIX=/usr
	$(MAKE) -s -C tests install DESTDIR=$(OUT)/stage PREFIX=/usr
	$(MAKE) -s -C lib/zlib install-tests DESTDIR=$(OUT)/stage PREFIX=/usr
	$(MAKE) -s -C lib/provider install-tests DESTDIR=$(OUT)/stage PREFIX=/usr
	bash scripts/mkinitramfs.sh $(OUT)/initramfs.cpio.gz $(OUT)/stage \
		$$(find $(AK_MODDIR) -name accelkit.ko) $$(find $(AK_MODDIR) -name accelkit_sample.ko) \
		$$(find $(AK_MODDIR) -name accelkit_selftest.ko) \
		$$(find $(AK_MODDIR) -name accelkit_kctest.ko)

initramfs-debug: initramfs kernel-debug
	rm -rf $(OUT)/stage-debug && cp -a $(OUT)/stage $(OUT)/stage-debug
	bash scripts/mkinitramfs.sh $(OUT)/initramfs-debug.cpio.gz $(OUT)/stage-debug \
		$$(find $(OUT)/kernel-debug -name accelkit.ko) \
		$$(find $(OUT)/kernel-debug -name accelkit_sample.ko) \
		$$(find $(OUT)/kernel-debug -name accelkit_selftest.ko) \
		$$(find $(OUT)/kernel-debug -name accelkit_kctest.ko)

# One 1 GiB hugetlb page for the suite's 1 GiB-leaf test.
VM_HUGE = hugepagesz=1G hugepages=1

# AK_SUITES=word,word: only the VM suites whose names contain a word
# (iteration aid; the suite then reports fewer tests).
VM_SUITES = $(if $(AK_SUITES),ak.suites=$(AK_SUITES))

# The fuzzer after the suite (test-vm-la57, test-vm-debug): FUZZ_OPS
# operations (0: none), seed FUZZ_SEED (default: a new one, printed).
FUZZ_OPS  ?= 100000
FUZZ_SEED ?=
# `make test` fuzzes with a fixed seed (the same 10^5 operations every run,
# so that CI is repeatable); `make fuzz` and `make test-fuzz` take a new one.
test: FUZZ_SEED := $(or $(FUZZ_SEED),20261130)
# ... and runs the 1000-process kill storm after the suite on the same two
# VMs, with a fixed seed as well.
test: STORM := $(or $(STORM),1000)
test: STORM_SEED := $(or $(STORM_SEED),20261130)
VM_FUZZ   = ak.fuzz_ops=$(FUZZ_OPS) $(if $(FUZZ_SEED),ak.fuzz_seed=$(FUZZ_SEED))
# The abuse suites (fault injection, recovery, kill storm) and the fuzzer
# run on the stock 6.1 LA57 VM and the 6.1 debug VM (ak.abuse=1).
# The long kill storm after the suite (docs/testing.md "The storm suite"):
# STORM processes (empty: none), seed STORM_SEED (default: a new one).
STORM      ?=
STORM_SEED ?=
VM_STORM  = $(if $(STORM),ak.storm=$(STORM) $(if $(STORM_SEED),ak.storm_seed=$(STORM_SEED)))
VM_ABUSE  = ak.abuse=1 $(VM_FUZZ) $(VM_STORM)

VM_ARGS = --qemu "$(QEMU_BIN)" --kernel /boot/vmlinuz-$(GUEST_KVER) \
	--initrd $(OUT)/initramfs.cpio.gz --timeout $(VM_TIMEOUT)

run: qemu initramfs
	bash scripts/vm-run.sh demo $(VM_ARGS) --log $(OUT)/vm-demo.log

# One scorecard (docs/performance.md): the host-engine figures are measured
# here first (akbench --host-engine --emit), shipped in a copy of the image
# as /etc/accelkit/host-engine.txt, and the VM's akbench --scorecard divides
# by them. BENCH_REPS: repetitions of every figure (host and VM);
# BENCH_BUSY_POLL=1: the engine and scaling figures busy-poll (AK_SF_SPIN)
# instead of sleeping until the completion interrupt.
BENCH_REPS ?= 5
BENCH_BUSY_POLL ?= 0

bench: qemu initramfs
	LD_LIBRARY_PATH=$(TOP)/lib $(TOP)/samples/akbench --host-engine \
		--emit $(OUT)/host-engine.txt -r $(BENCH_REPS)
	rm -rf $(OUT)/stage-bench && cp -a $(OUT)/stage $(OUT)/stage-bench
	install -D -m 0644 $(OUT)/host-engine.txt \
		$(OUT)/stage-bench/etc/accelkit/host-engine.txt
	bash scripts/mkinitramfs.sh $(OUT)/initramfs-bench.cpio.gz $(OUT)/stage-bench \
		$$(find kernel -name accelkit.ko) $$(find kernel -name accelkit_sample.ko) \
		$$(find kernel -name accelkit_selftest.ko) $$(find kernel -name accelkit_kctest.ko)
	bash scripts/vm-run.sh bench --qemu "$(QEMU_BIN)" --kernel /boot/vmlinuz-$(GUEST_KVER) \
		--initrd $(OUT)/initramfs-bench.cpio.gz --timeout $(VM_TIMEOUT) \
		--append "ak.reps=$(BENCH_REPS) ak.busypoll=$(BENCH_BUSY_POLL)" \
		--log $(OUT)/vm-bench.log

# The kernel path alone (akbench --zswap in the stock VM: zswap pages/s
# with deflate-accelkit next to deflate-scomp; docs/performance.md).
bench-zswap: qemu initramfs
	bash scripts/vm-run.sh bench $(VM_ARGS) --cpu max \
		--append "ak.bench=zswap ak.reps=$(BENCH_REPS)" --log $(OUT)/vm-bench-zswap.log

# The raw software engines on this machine (no VM, no device): the
# denominator of "device throughput / the same engine on the host".
bench-host: samples
	LD_LIBRARY_PATH=$(TOP)/lib $(TOP)/samples/akbench --host-engine

vm-shell: qemu initramfs
	bash scripts/vm-run.sh shell $(VM_ARGS)

# The stock VMs of `make test` (6.1 and 6.12, both paging modes) load the
# modules that DKMS built (test-dkms runs first); the debug kernels load
# their own build. `make test-vm...` alone uses kernel/ (AK_MODDIR).
test: test-style test-host test-dkms test-vm test-dropins
	@echo "make test: the abuse summary of each VM suite run (scripts/vm-summary.sh):"
	@cat $(OUT)/vm-test-*.summary
	@echo "make test: all suites passed"
test: AK_MODDIR = $(OUT)/dkms/$(GUEST_KVER)
test: K612_KO_DIR = $(OUT)/dkms/$(K612_VER)

# Style gates: checkpatch --strict on the kernel code, QEMU's checkpatch on
# the device model (its source tree comes with the QEMU build).
test-style: checkpatch qemu
	$(CACHE)/qemu-src/scripts/checkpatch.pl --no-tree -f hw-model/*.c hw-model/*.h

test-host: lib samples tests
	$(MAKE) -C tests check-host
	$(MAKE) -C lib/zlib check

# The OpenSSL provider on the software path (lib/provider: OpenSSL's own
# known-answer files, the openssl command line); SAN=1 with sanitizers.
.PHONY: test-provider bench-openssl
test-host: test-provider
test-provider: lib
	$(MAKE) -C lib/provider check

# openssl speed, OpenSSL's default provider next to accelkit's, on this
# host (software path unless a device is present); in the VM: vm/bench.sh.
bench-openssl: lib
	LD_LIBRARY_PATH=$(TOP)/lib OPENSSL_MODULES=$(TOP)/lib/provider \
		bash lib/provider/tests/bench-openssl.sh

# The VM suite under 5-level paging with PTI (-cpu max has LA57) and 4-level
# paging without PTI (qemu64, with 1 GiB pages for the hugetlb test).
test-vm: test-vm-stock test-vm-debug

test-vm-stock: test-vm-la57 test-vm-4level

test-vm-la57: qemu initramfs
	bash scripts/vm-run.sh test $(VM_ARGS) --cpu max --append "pti=on $(VM_HUGE) $(VM_SUITES) $(VM_ABUSE)" \
		--log $(OUT)/vm-test-la57-pti.log

test-vm-4level: qemu initramfs
	bash scripts/vm-run.sh test $(VM_ARGS) --cpu qemu64,+pdpe1gb --append "pti=off $(VM_HUGE) $(VM_SUITES)" \
		--log $(OUT)/vm-test-4level-nopti.log

# The fuzzer alone (tests/fuzz/ak-fuzz, docs/testing.md) in the stock VM
# (5-level paging, PTI); make test runs it after the suite with the default
# 10^5 operations. FUZZ_OPS / FUZZ_SEED: length and seed (a failing run
# prints its seed); make fuzz is the long run.
FUZZ_ARGS  = ak.fuzz_only=1 $(VM_FUZZ)

.PHONY: test-fuzz fuzz
test-fuzz: qemu initramfs
	bash scripts/vm-run.sh test $(VM_ARGS) --cpu max --append "pti=on $(FUZZ_ARGS)" \
		--log $(OUT)/vm-fuzz.log

fuzz: FUZZ_OPS = 2000000
fuzz: VM_TIMEOUT = 7200
fuzz: test-fuzz

# The kill storm alone, long: STORM processes (default 10000), STORM_SEED.
.PHONY: storm
storm: STORM := $(or $(STORM),10000)
storm: VM_TIMEOUT = 7200
storm: qemu initramfs
	bash scripts/vm-run.sh test $(VM_ARGS) --cpu max \
		--append "pti=on ak.fuzz_only=1 ak.fuzz_ops=0 $(VM_STORM)" \
		--log $(OUT)/vm-storm.log

# Unmodified programs on the device path (vm/dropins.d: the zlib shim and
# the OpenSSL provider), once, in the stock VM.
test-dropins: qemu initramfs
	bash scripts/vm-run.sh dropins $(VM_ARGS) --cpu max --log $(OUT)/vm-dropins.log

# The drop-in run again, for its throughput lines only (docs/performance.md
# "zlib drop-in"): minigzip with and without libaccelkit-zlib.
.PHONY: bench-zlib
bench-zlib: qemu initramfs
	bash scripts/vm-run.sh dropins $(VM_ARGS) --cpu max --log $(OUT)/vm-bench-zlib.log
	@grep 'AK-ZLIB-BENCH' $(OUT)/vm-bench-zlib.log

# The same suite on the debug kernel; kmemleak is scanned after the suite.
# The debug kernels run the crypto self-tests, with the extra tests that
# fuzz each driver against the generic one: 20 rounds per algorithm
# instead of 100 keep the boot under TCG and KASAN short.
VM_DEBUG_CMDLINE = cryptomgr.fuzz_iterations=20
# Under KASAN the fuzzer and the storm run 3-4x slower than on the stock
# VM, which runs them in full: the debug VM runs a shorter share of each
# (same seeds), to keep make test within its budget: DEBUG_FUZZ_OPS
# operations (FUZZ_OPS= on the command line still decides) and, where a
# storm is asked for (STORM set), DEBUG_STORM processes.
DEBUG_FUZZ_OPS ?= 30000
DEBUG_STORM    ?= 300
test-vm-debug: FUZZ_OPS := $(DEBUG_FUZZ_OPS)
test-vm-debug: VM_STORM = $(if $(STORM),ak.storm=$(DEBUG_STORM) $(if $(STORM_SEED),ak.storm_seed=$(STORM_SEED)))

test-vm-debug: qemu initramfs-debug
	bash scripts/vm-run.sh test --qemu "$(QEMU_BIN)" \
		--kernel $(DEBUG_KDIR)/arch/x86/boot/bzImage \
		--initrd $(OUT)/initramfs-debug.cpio.gz --timeout $(VM_TIMEOUT) \
		--cpu max --append "pti=on ak.poweroff_hold=1 $(VM_DEBUG_CMDLINE) $(VM_HUGE) $(VM_SUITES) $(VM_ABUSE)" \
		--log $(OUT)/vm-test-debug.log

# --- 6.12 debug kernel and the two-NUMA-node VM -------------------------
# The debug kernel of the 6.12 series (linux-source-6.12 of bookworm,
# downloaded into the cache, never installed) and our modules for it in
# $(OUT)/kernel-debug-612; the same suite on it. The two-node VM (a pxb-pcie
# root, a root port and an accelkit device per node) runs the "numa" and
# "unplug" suites on the stock kernel.
.PHONY: debug-kernel-612 kernel-debug-612 initramfs-debug-612 test-vm-debug-612 test-vm-numa test-unplug

DEBUG612_KDIR = $(shell bash scripts/build-debug-kernel.sh 6.12)

debug-kernel-612: deps
	@bash scripts/build-debug-kernel.sh 6.12

kernel-debug-612: debug-kernel-612
	rm -rf $(OUT)/kernel-debug-612 && mkdir -p $(OUT)
	cp -r kernel $(OUT)/kernel-debug-612
	$(MAKE) -s -C $(OUT)/kernel-debug-612 KDIR=$(DEBUG612_KDIR) clean
	$(MAKE) -C $(OUT)/kernel-debug-612 KDIR=$(DEBUG612_KDIR)

initramfs-debug-612: initramfs kernel-debug-612
	rm -rf $(OUT)/stage-debug-612 && cp -a $(OUT)/stage $(OUT)/stage-debug-612
	bash scripts/mkinitramfs.sh $(OUT)/initramfs-debug-612.cpio.gz $(OUT)/stage-debug-612 \
		$$(find $(OUT)/kernel-debug-612 -name accelkit.ko) \
		$$(find $(OUT)/kernel-debug-612 -name accelkit_sample.ko) \
		$$(find $(OUT)/kernel-debug-612 -name accelkit_selftest.ko) \
		$$(find $(OUT)/kernel-debug-612 -name accelkit_kctest.ko)

test-vm-debug-612: qemu initramfs-debug-612
	bash scripts/vm-run.sh test --qemu "$(QEMU_BIN)" \
		--kernel $(DEBUG612_KDIR)/arch/x86/boot/bzImage \
		--initrd $(OUT)/initramfs-debug-612.cpio.gz --timeout $(VM_TIMEOUT) \
		--cpu max --append "pti=on $(VM_DEBUG_CMDLINE) $(VM_HUGE) $(VM_SUITES)" \
		--log $(OUT)/vm-test-debug-612.log

# make test runs both (after the rules above: more prerequisites of test-vm).
test-vm: test-vm-debug-612 test-vm-numa

# The two-node VM also runs the "unplug" suite (tests/vm/vm_unplug.c: QMP
# device_del/device_add through scripts/vm-qmp.py, rmmod with queues open)
# and powers off with queues open and jobs in flight (ak.poweroff_hold=1).
test-vm-numa: qemu initramfs
	bash scripts/vm-run.sh test $(VM_ARGS) --cpu max --topology numa2 --qmp \
		--append "ak.poweroff_hold=1 $(VM_SUITES)" --log $(OUT)/vm-test-numa.log

# The same two-node VM on the 6.1 debug kernel (KASAN, lockdep, kmemleak).
# Without the QMP hot-unplug (ak.no_hotplug=1): pciehp's own removal path
# makes lockdep report a circular dependency of two pciehp locks on this
# kernel, which ends lockdep for the rest of the run (docs/testing.md).
# Not in make test (6.5 min, mostly boot and kmemleak scans): its rmmod and
# power-off with queues open run there in the one-device debug VM (suite
# "rmmod", ak.poweroff_hold=1 in test-vm-debug).
.PHONY: test-vm-debug-numa
test-vm-debug-numa: qemu initramfs-debug
	bash scripts/vm-run.sh test --qemu "$(QEMU_BIN)" \
		--kernel $(DEBUG_KDIR)/arch/x86/boot/bzImage \
		--initrd $(OUT)/initramfs-debug.cpio.gz --timeout $(VM_TIMEOUT) \
		--cpu max --topology numa2 --qmp \
		--append "ak.poweroff_hold=1 ak.no_hotplug=1 $(VM_DEBUG_CMDLINE) $(VM_SUITES)" \
		--log $(OUT)/vm-test-debug-numa.log

# The unplug suite alone in the same VM (AK_SUITES=unplug unless given).
test-unplug: qemu initramfs
	bash scripts/vm-run.sh test $(VM_ARGS) --cpu max --topology numa2 --qmp \
		--append "ak.poweroff_hold=1 ak.suites=$(or $(AK_SUITES),unplug)" \
		--log $(OUT)/vm-test-unplug.log
# --- end of 6.12 debug kernel and the two-NUMA-node VM --------------------

# --- Debian's 6.12 stock kernel next to 6.1 --------------------------------
# scripts/fetch-kernel.sh 6.12 downloads the newest bookworm build (image,
# headers, kbuild) into $(CACHE)/kernel-<ver>/ without installing it on the
# host. Our modules for it are built in a copy of kernel/ (build/kernel-612)
# and go into their own image with the 6.12 modules; the suite then runs
# with the same two paging setups as on 6.1. Looked up once per make run.
K612_INFO    = $(eval K612_INFO := $$(shell bash scripts/fetch-kernel.sh 6.12))$(K612_INFO)
k612          = $(patsubst $(1)=%,%,$(filter $(1)=%,$(K612_INFO)))
K612_VER     = $(call k612,ver)
K612_KDIR    = $(call k612,kdir)
K612_VMLINUZ = $(call k612,vmlinuz)
K612_MODDIR  = $(call k612,moddir)
K612_KO_DIR ?= $(OUT)/kernel-612
K612_KO      = $(foreach m,accelkit accelkit_sample accelkit_selftest accelkit_kctest,\
		$(firstword $(shell find $(K612_KO_DIR) -name $(m).ko 2>/dev/null)))

.PHONY: kernel-612 initramfs-612 test-vm-612 test-vm-612-la57 test-vm-612-4level

kernel-612: deps
	@test -n "$(K612_KDIR)" || { echo "no 6.12 kernel: see scripts/fetch-kernel.sh" >&2; exit 1; }
	rm -rf $(OUT)/kernel-612 && mkdir -p $(OUT)
	cp -r kernel $(OUT)/kernel-612
	$(MAKE) -s -C $(OUT)/kernel-612 KDIR=$(K612_KDIR) clean
	$(MAKE) -C $(OUT)/kernel-612 KDIR=$(K612_KDIR)

initramfs-612: initramfs kernel-612
	rm -rf $(OUT)/stage-612 && cp -a $(OUT)/stage $(OUT)/stage-612
	bash scripts/mkinitramfs.sh --kernel $(K612_VER) $(K612_MODDIR) \
		$(OUT)/initramfs-612.cpio.gz $(OUT)/stage-612 $(K612_KO)

VM_ARGS_612 = --qemu "$(QEMU_BIN)" --kernel $(K612_VMLINUZ) \
	--initrd $(OUT)/initramfs-612.cpio.gz --timeout $(VM_TIMEOUT)

test-vm: test-vm-612

test-vm-612: test-vm-612-la57 test-vm-612-4level

test-vm-612-la57: qemu initramfs-612
	bash scripts/vm-run.sh test $(VM_ARGS_612) --cpu max --append "pti=on $(VM_HUGE) $(VM_SUITES)" \
		--log $(OUT)/vm-test-612-la57-pti.log

test-vm-612-4level: qemu initramfs-612
	bash scripts/vm-run.sh test $(VM_ARGS_612) --cpu qemu64,+pdpe1gb --append "pti=off $(VM_HUGE) $(VM_SUITES)" \
		--log $(OUT)/vm-test-612-4level-nopti.log
# --- end of the 6.12 block ----------------------------------------------------

checkpatch: deps
	$(MAKE) -C kernel checkpatch

# --- The Debian guest (issue 9) ------------------------------------------
# A debootstrapped bookworm with systemd, udev and kmod (cached tree:
# scripts/build-debian-image.sh; the first build takes minutes), accelkit
# installed as a user would (make install DESTDIR=... PREFIX=/usr, modules in
# updates/ + depmod, group accel by systemd-sysusers), booted with the stock
# kernel (scripts/debian-run.sh).
#   make test-debian   vm/debian-test.sh: autoload by modalias, /dev/accel
#                      nodes, the tools as a member of group accel and as a
#                      non-member, no failed unit, no journal error
#   make run-debian    a login prompt on the serial console (root, akuser,
#                      akother; no passwords)
# DEBIAN_KVER / DEBIAN_KERNEL / DEBIAN_MODDIR / DEBIAN_KODIR boot another
# kernel: its vmlinuz, stock module tree and our modules built for it.
.PHONY: stage-debian test-debian run-debian debian-image
test: test-debian

DEBIAN_KVER   ?= $(GUEST_KVER)
DEBIAN_KERNEL ?= /boot/vmlinuz-$(DEBIAN_KVER)
DEBIAN_MODDIR ?= /lib/modules/$(DEBIAN_KVER)
DEBIAN_KODIR  ?= $(abspath $(AK_MODDIR))
DEBIAN_ARGS    = --qemu "$(QEMU_BIN)" --kernel $(DEBIAN_KERNEL) \
	--moddir $(DEBIAN_MODDIR) --kodir $(DEBIAN_KODIR) \
	--stage $(OUT)/stage-debian --work $(OUT)/debian-$(DEBIAN_KVER) \
	--timeout $(VM_TIMEOUT)

debian-image: deps
	@bash scripts/build-debian-image.sh

stage-debian: lib samples
	rm -rf $(OUT)/stage-debian && mkdir -p $(OUT)/stage-debian
	$(MAKE) -s install DESTDIR=$(OUT)/stage-debian PREFIX=/usr

test-debian: qemu kernel stage-debian debian-image
	bash scripts/debian-run.sh test $(DEBIAN_ARGS) \
		--log $(OUT)/debian-test-$(DEBIAN_KVER).log

run-debian: qemu kernel stage-debian debian-image
	bash scripts/debian-run.sh shell $(DEBIAN_ARGS)

# One boot on the 6.12 series too; run-debian-612 for a look around. Under
# `make test` both boots install the modules DKMS built.
.PHONY: test-debian-612 run-debian-612
DEBIAN_612 = DEBIAN_KVER=$(K612_VER) DEBIAN_KERNEL=$(K612_VMLINUZ) \
	DEBIAN_MODDIR=$(K612_MODDIR) DEBIAN_KODIR=$(abspath $(K612_KO_DIR))
test: test-debian-612

test-debian-612: kernel-612
	$(MAKE) test-debian $(DEBIAN_612)

run-debian-612: kernel-612
	$(MAKE) run-debian $(DEBIAN_612)
# --- end of the Debian guest ----------------------------------------------

clean:
	-$(MAKE) -C kernel clean
	-$(MAKE) -C lib clean
	-$(MAKE) -C samples clean
	-$(MAKE) -C tests clean
	rm -rf $(OUT)

# ---------------------------------------------------------------------------
# Install path (issue 9): make install / uninstall, DKMS, and their tests.
# Kept in one block; README.md "Installing" describes it.
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   library (shared + static),
#       header, pkg-config file, tools, man pages, udev rule, modprobe.d and
#       sysusers.d files. With no DESTDIR, as root, it also runs ldconfig,
#       creates group accel and reloads the udev rules.
#   make uninstall [PREFIX=] [DESTDIR=]           removes those files
#   make dkms-install / dkms-uninstall            (root) modules through DKMS
#   make deb-dkms        build/accelkit-dkms_<ver>_all.deb (the same, packaged)
#   make test-install    install into a temporary DESTDIR and check the tree
#   make test-dkms       DKMS build on the host (private trees, no dkms
#                        package installed) for each tree in DKMS_KDIRS
#   make test-vm-dkms    test-dkms, then test-vm-la57 on the DKMS-built modules
#   AK_MODDIR=dir        the VM images take accelkit*.ko from dir (e.g. the
#                        DKMS-built build/dkms/<kernel release>) instead of kernel/
# ---------------------------------------------------------------------------
PREFIX       ?= /usr/local
DESTDIR      ?=
MANDIR       ?= $(PREFIX)/share/man
# udev, kmod and systemd read /usr/lib/... and /usr/local/lib/...
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
MODPROBEDIR  ?= $(PREFIX)/lib/modprobe.d
SYSUSERSDIR  ?= $(PREFIX)/lib/sysusers.d
AK_MODDIR    ?= kernel
# The 6.1 guest kernel's headers, and the 6.12 ones once the 6.12 block
# (K612_KDIR, scripts/fetch-kernel.sh) is there.
DKMS_KDIRS   ?= /lib/modules/$(GUEST_KVER)/build $(K612_KDIR)

MAN1 := akzip.1 aksum.1 aksum512.1 akenc.1 akdemo.1 akbench.1
# libaccelkit(3) and the pages of the main calls (plus one-line .so pages
# for the other names each documents).
MAN3 := $(notdir $(wildcard man/*.3))
# The sub-makes run in lib/ and samples/: a relative DESTDIR must not move.
SUBINSTALL = PREFIX=$(PREFIX) DESTDIR=$(if $(DESTDIR),$(abspath $(DESTDIR)))

.PHONY: install uninstall dkms-install dkms-uninstall deb-dkms test-install test-dkms test-vm-dkms

install:
	$(MAKE) -C lib install $(SUBINSTALL)
	$(MAKE) -C samples install $(SUBINSTALL)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(MODPROBEDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0644 $(addprefix man/,$(MAN1)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(addprefix man/,$(MAN3)) $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 man/accelkit.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 udev/60-accelkit.rules $(DESTDIR)$(UDEVRULESDIR)/
	install -m 0644 dist/modprobe.conf $(DESTDIR)$(MODPROBEDIR)/accelkit.conf
	install -m 0644 dist/sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/accelkit.conf
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then \
		echo "install: ldconfig, group accel, udev rules"; \
		ldconfig; \
		if command -v systemd-sysusers >/dev/null; then \
			systemd-sysusers $(SYSUSERSDIR)/accelkit.conf; \
		elif ! getent group accel >/dev/null; then \
			groupadd --system accel; fi; \
		if command -v udevadm >/dev/null && [ -d /run/udev ]; then \
			udevadm control --reload-rules && \
			udevadm trigger --subsystem-match=uacce --action=change; fi; \
	elif [ -z "$(DESTDIR)" ]; then \
		echo "install: not root: run ldconfig and 'groupadd --system accel' as root"; fi

uninstall:
	$(MAKE) -C lib uninstall $(SUBINSTALL)
	$(MAKE) -C samples uninstall $(SUBINSTALL)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(MAN1)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(MAN3)) $(DESTDIR)$(MANDIR)/man7/accelkit.7 \
		$(DESTDIR)$(UDEVRULESDIR)/60-accelkit.rules \
		$(DESTDIR)$(MODPROBEDIR)/accelkit.conf $(DESTDIR)$(SYSUSERSDIR)/accelkit.conf
	@[ -n "$(DESTDIR)" ] || [ "$$(id -u)" -ne 0 ] || ldconfig

dkms-install:
	bash scripts/dkms.sh install

dkms-uninstall:
	bash scripts/dkms.sh uninstall

deb-dkms:
	@mkdir -p $(OUT)
	bash scripts/deb-dkms.sh $(OUT)

test-install: lib samples kernel
	bash scripts/test-install.sh $(OUT)/test-install

test-dkms: deps
	bash scripts/test-dkms.sh $(OUT)/dkms $(DKMS_KDIRS)

# The stock-kernel VM suite (5-level paging, PTI) on the DKMS-built modules.
test-vm-dkms: test-dkms
	$(MAKE) test-vm-la57 AK_MODDIR=$(OUT)/dkms/$(GUEST_KVER)

# Extra prerequisites of `make test` (its recipe is above).
test: test-install
