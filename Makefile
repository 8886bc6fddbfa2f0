# accelkit top level. The two commands README.md promises:
#   make run    boot the VM with the sample accelerator and run the offload demo
#   make test   host unit tests, then the VM integration suite
# Everything installs what it needs first (make deps).

SHELL      := /bin/bash
TOP        := $(CURDIR)
OUT        := $(TOP)/build
CACHE      ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/accelkit
VM_TIMEOUT ?= 1200

.PHONY: all deps qemu kernel kernel-debug debug-kernel initramfs-debug lib samples tests initramfs run vm-shell bench bench-host \
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
	$(MAKE) -C tests host vm

# Guest image: user space installed into a staging tree, plus the modules.
initramfs: kernel lib samples tests
	rm -rf $(OUT)/stage && mkdir -p $(OUT)/stage
	$(MAKE) -s -C lib install DESTDIR=$(OUT)/stage PREFIX=/usr
	$(MAKE) -s -C samples install DESTDIR=$(OUT)/stage PREFIX=/usr
	$(MAKE) -s -C tests install DESTDIR=$(OUT)/stage PREFIX=/usr
	bash scripts/mkinitramfs.sh $(OUT)/initramfs.cpio.gz $(OUT)/stage \
		$$(find kernel -name accelkit.ko) $$(find kernel -name accelkit_sample.ko) \
		$$(find kernel -name accelkit_selftest.ko)

initramfs-debug: initramfs kernel-debug
	rm -rf $(OUT)/stage-debug && cp -a $(OUT)/stage $(OUT)/stage-debug
	bash scripts/mkinitramfs.sh $(OUT)/initramfs-debug.cpio.gz $(OUT)/stage-debug \
		$$(find $(OUT)/kernel-debug -name accelkit.ko) \
		$$(find $(OUT)/kernel-debug -name accelkit_sample.ko) \
		$$(find $(OUT)/kernel-debug -name accelkit_selftest.ko)

# One 1 GiB hugetlb page for the suite's 1 GiB-leaf test.
VM_HUGE = hugepagesz=1G hugepages=1

# AK_SUITES=word,word: only the VM suites whose names contain a word
# (iteration aid; the suite then reports fewer tests).
VM_SUITES = $(if $(AK_SUITES),ak.suites=$(AK_SUITES))

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
		$$(find kernel -name accelkit_selftest.ko)
	bash scripts/vm-run.sh bench --qemu "$(QEMU_BIN)" --kernel /boot/vmlinuz-$(GUEST_KVER) \
		--initrd $(OUT)/initramfs-bench.cpio.gz --timeout $(VM_TIMEOUT) \
		--append "ak.reps=$(BENCH_REPS) ak.busypoll=$(BENCH_BUSY_POLL)" \
		--log $(OUT)/vm-bench.log

# The raw software engines on this machine (no VM, no device): the
# denominator of "device throughput / the same engine on the host".
bench-host: samples
	LD_LIBRARY_PATH=$(TOP)/lib $(TOP)/samples/akbench --host-engine

vm-shell: qemu initramfs
	bash scripts/vm-run.sh shell $(VM_ARGS)

test: test-style test-host test-vm
	@echo "make test: all suites passed"

# Style gates: checkpatch --strict on the kernel code, QEMU's checkpatch on
# the device model (its source tree comes with the QEMU build).
test-style: checkpatch qemu
	$(CACHE)/qemu-src/scripts/checkpatch.pl --no-tree -f hw-model/*.c hw-model/*.h

test-host: lib samples tests
	$(MAKE) -C tests check-host

# The VM suite under 5-level paging with PTI (-cpu max has LA57) and 4-level
# paging without PTI (qemu64, with 1 GiB pages for the hugetlb test).
test-vm: test-vm-stock test-vm-debug

test-vm-stock: test-vm-la57 test-vm-4level

test-vm-la57: qemu initramfs
	bash scripts/vm-run.sh test $(VM_ARGS) --cpu max --append "pti=on $(VM_HUGE) $(VM_SUITES)" \
		--log $(OUT)/vm-test-la57-pti.log

test-vm-4level: qemu initramfs
	bash scripts/vm-run.sh test $(VM_ARGS) --cpu qemu64,+pdpe1gb --append "pti=off $(VM_HUGE) $(VM_SUITES)" \
		--log $(OUT)/vm-test-4level-nopti.log

# The same suite on the debug kernel; kmemleak is scanned after the suite.
test-vm-debug: qemu initramfs-debug
	bash scripts/vm-run.sh test --qemu "$(QEMU_BIN)" \
		--kernel $(DEBUG_KDIR)/arch/x86/boot/bzImage \
		--initrd $(OUT)/initramfs-debug.cpio.gz --timeout $(VM_TIMEOUT) \
		--cpu max --append "pti=on $(VM_HUGE) $(VM_SUITES)" --log $(OUT)/vm-test-debug.log

checkpatch: deps
	$(MAKE) -C kernel checkpatch

# --- The Debian guest (issue 9) ------------------------------------------
# A debootstrapped bookworm with systemd, udev and kmod (cached tree:
# scripts/build-debian-image.sh; the first build takes minutes), accelkit
# installed as a user would (modules in updates/ + depmod, library, tools,
# udev rule, group accel), booted with the stock kernel (scripts/debian-run.sh).
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
DEBIAN_KODIR  ?= $(TOP)/kernel
DEBIAN_ARGS    = --qemu "$(QEMU_BIN)" --kernel $(DEBIAN_KERNEL) \
	--moddir $(DEBIAN_MODDIR) --kodir $(DEBIAN_KODIR) \
	--stage $(OUT)/stage-debian --work $(OUT)/debian-$(DEBIAN_KVER) \
	--timeout $(VM_TIMEOUT)

debian-image: deps
	@bash scripts/build-debian-image.sh

stage-debian: lib samples
	rm -rf $(OUT)/stage-debian && mkdir -p $(OUT)/stage-debian
	$(MAKE) -s -C lib install DESTDIR=$(OUT)/stage-debian PREFIX=/usr
	$(MAKE) -s -C samples install DESTDIR=$(OUT)/stage-debian PREFIX=/usr

test-debian: qemu kernel stage-debian debian-image
	bash scripts/debian-run.sh test $(DEBIAN_ARGS) \
		--log $(OUT)/debian-test-$(DEBIAN_KVER).log

run-debian: qemu kernel stage-debian debian-image
	bash scripts/debian-run.sh shell $(DEBIAN_ARGS)

# One boot on the 6.12 series too, once the 6.12 block (kernel-612, K612_*,
# scripts/fetch-kernel.sh) is there; run-debian-612 for a look around.
ifneq ($(wildcard scripts/fetch-kernel.sh),)
.PHONY: test-debian-612 run-debian-612
DEBIAN_612 = DEBIAN_KVER=$(K612_VER) DEBIAN_KERNEL=$(K612_VMLINUZ) \
	DEBIAN_MODDIR=$(K612_MODDIR) DEBIAN_KODIR=$(OUT)/kernel-612
test: test-debian-612

test-debian-612: kernel-612
	$(MAKE) test-debian $(DEBIAN_612)

run-debian-612: kernel-612
	$(MAKE) run-debian $(DEBIAN_612)
endif
# --- end of the Debian guest ----------------------------------------------

clean:
	-$(MAKE) -C kernel clean
	-$(MAKE) -C lib clean
	-$(MAKE) -C samples clean
	-$(MAKE) -C tests clean
	rm -rf $(OUT)
