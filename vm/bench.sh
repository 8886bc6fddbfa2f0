#!/bin/sh
# `make bench`, inside the VM: the NOP/COPY table (details), then the
# scorecard. The host-engine figures come in the image
# (/etc/accelkit/host-engine.txt, written by the host's akbench --emit).
# Exit status: non-zero only if a job failed, an output was wrong or a
# benchmark could not run; never because of a time.
reps=${AK_REPS:-5}
# ak.busypoll=1 (make bench BENCH_BUSY_POLL=1): engines busy-polled
mode=
[ "${AK_BUSYPOLL:-0}" = 1 ] && mode=-b
# The scorecard runs on CPU 0 (akbench pins itself there): steer the
# device's interrupts to CPU 0 as well, as a tuned host would, so an
# interrupt-driven wait is woken on its own CPU (a cross-CPU wake-up is
# an IPI, which under TCG costs anything from 20 us to 1 ms).
# The sample driver names them <pci address>-q<n> and <pci address>-event.
for irq in $(awk '$NF ~ /^[0-9a-f]+:[0-9a-f]+:[0-9a-f.]+-(q[0-9]+|event)$/ {
		sub(/:$/, "", $1); print $1 }' /proc/interrupts); do
	echo 0 >/proc/irq/"$irq"/smp_affinity_list 2>/dev/null ||
		echo "bench: could not steer IRQ $irq to CPU 0"
done
rc=0
# The kernel path (issue 12): zswap on the device's kernel queues
# (deflate-accelkit) next to the software deflate, over a zram swap device.
zswap_bench() {
	echo "== akbench --zswap: the kernel path, zswap store/load pages/s =="
	if [ -w /sys/block/zram0/disksize ] &&
		echo 256M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
		akbench --zswap 32 -r "$reps" || rc=$?
		swapoff /dev/zram0 && echo 1 >/sys/block/zram0/reset
	else
		echo "bench: no zram swap device (vm/kmods.list): no zswap figures"
		rc=3
	fi
}
# ak.bench=zswap (make bench-zswap): the kernel path alone.
if [ "${AK_BENCH:-all}" = zswap ]; then
	zswap_bench
	exit $rc
fi
echo "== akbench: NOP and COPY, queue depth 1 and 32 (details) =="
akbench -n 1000 || rc=$?
echo "== akbench --scorecard ($reps repetitions a figure) =="
akbench --scorecard $mode -r "$reps" --host-file /etc/accelkit/host-engine.txt || rc=$?
zswap_bench
# openssl speed, OpenSSL's default provider next to the accelkit provider
# (lib/provider/tests/bench-openssl.sh, installed with the provider's tests)
echo "== openssl speed: default provider vs accelkit provider =="
sh /usr/share/accelkit/bench-openssl.sh || rc=$?
exit $rc
