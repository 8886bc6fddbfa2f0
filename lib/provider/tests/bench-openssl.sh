#!/bin/sh
# openssl speed: OpenSSL's default provider next to the accelkit provider,
# in one run (`make bench-openssl` on the host, vm/bench.sh in the VM).
# Prints one line per algorithm and buffer size:
#   openssl-speed ALG BYTES default MB/s accelkit MB/s (accelkit/default)
# Where: "host" or "TCG guest"; path: AK_PATH (auto: the device when one
# is present). BENCH_SECONDS: seconds per figure (default 1).
# -elapsed: openssl speed counts the process's CPU time by default, which
# leaves out the time spent waiting for the device (an offload would look
# many times faster than it is); wall-clock time is the honest figure.
# Exit status non-zero only if a run failed, never because of a figure.
secs=${BENCH_SECONDS:-1}
where=host
if [ -r /sys/class/dmi/id/sys_vendor ] && grep -q QEMU /sys/class/dmi/id/sys_vendor; then
	# a KVM guest registers the kvm-clock clocksource; TCG has none
	if grep -q kvm-clock /sys/devices/system/clocksource/clocksource0/available_clocksource 2>/dev/null; then
		where="KVM guest"
	else
		where="TCG guest"
	fi
elif grep -q '^flags.* hypervisor' /proc/cpuinfo; then
	where="host (itself a virtual machine)"
fi
dev=none
for d in /dev/accelkit-*; do [ -e "$d" ] && dev=$d && break; done
echo "openssl-speed: $where, device $dev, AK_PATH=${AK_PATH:-auto}, $(openssl version | cut -d' ' -f1-2), ${secs}s a figure"
rate() {	# openssl speed output -> MB/s (its numbers are 1000s of bytes/s)
	tail -n 1 | awk '{ v = $NF; sub(/k$/, "", v); printf "%.1f", v / 1000 }'
}
rc=0
for alg in sha256 sha512 aes-128-cbc aes-256-ctr aes-256-xts aes-256-gcm; do
	for bytes in 16384 1048576; do
		d=$(openssl speed -elapsed -seconds "$secs" -bytes $bytes -evp $alg 2>/dev/null | rate)
		a=$(openssl speed -provider accelkit -provider default -propquery provider=accelkit \
			-elapsed -seconds "$secs" -bytes $bytes -evp $alg 2>/dev/null | rate)
		if [ -z "$d" ] || [ -z "$a" ]; then
			echo "openssl-speed: $alg $bytes: a run failed"
			rc=1
			continue
		fi
		awk -v alg=$alg -v b=$bytes -v d="$d" -v a="$a" 'BEGIN {
			printf "openssl-speed %-12s %8d default %9.1f MB/s  accelkit %9.1f MB/s  (%.2fx)\n",
			       alg, b, d, a, (d > 0 ? a / d : 0) }'
	done
done
exit $rc
