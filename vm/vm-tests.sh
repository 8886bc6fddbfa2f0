#!/bin/sh
# The in-VM integration suite. Exit status is the suite's.
kml=/sys/kernel/debug/kmemleak
# Forget what boot left behind: only leaks made by the suite count.
[ -w $kml ] && echo clear >$kml
# No periodic scans while the suite runs (each costs a minute under KASAN
# and TCG): the scans after the suite below are the ones that count.
[ -w $kml ] && echo scan=off >$kml

rc=0
echo "AK-KERNEL: $(uname -r)"
# The instances each device has with no queue open, to compare at the end.
for d in /sys/class/uacce/*; do
	eval "inst0_$(basename "$d" | tr -c 'a-zA-Z0-9\n' _)=$(cat "$d/available_instances")"
done
# ak.fuzz_only=1 (make test-fuzz, make fuzz): the fuzzer alone.
[ "${AK_FUZZ_ONLY:-0}" = 1 ] || ak-vm-tests || rc=$?

# The long kill storm (docs/testing.md "The storm suite") where the
# command line has ak.storm=N: N processes, seed ak.storm_seed= or a new
# one (printed).
if [ "${AK_STORM:-0}" != 0 ]; then
	ak-vm-tests --storm "$AK_STORM" ${AK_STORM_SEED:+"$AK_STORM_SEED"} || rc=1
fi

# The seeded fuzzer of the uAPI and the descriptors (docs/testing.md), in
# the VMs whose command line has ak.fuzz_ops=N (make test: the stock LA57
# and the debug VM); a seed is chosen and printed unless ak.fuzz_seed= gives one.
if [ "${AK_FUZZ_OPS:-0}" != 0 ]; then
	ak-fuzz --ops "$AK_FUZZ_OPS" ${AK_FUZZ_SEED:+--seed "$AK_FUZZ_SEED"} || rc=1
fi

# After every queue is closed, each device is back to all its instances
# and no PASID is in use.
# The counters line of the summary (scripts/vm-summary.sh): instances now /
# at boot, PASIDs in use, hardware errors counted.
for d in /sys/class/uacce/*; do
	n=$(basename "$d")
	eval "i0=\${inst0_$(echo "$n" | tr -c 'a-zA-Z0-9\n' _):-?}"
	avail=$(cat "$d/available_instances") pasids=$(cat "$d/pasids_in_use")
	echo "AK-INSTANCES: $n $avail"
	echo "AK-COUNTERS: $n instances=$avail/$i0 pasids_in_use=$pasids" \
		"hw_errors=$(cat "$d/hw_errors")"
	if [ "$avail" != "$i0" ] || [ "$pasids" != 0 ]; then
		echo "AK: $n: $avail of $i0 instances, $pasids PASIDs in use after the suite"
		rc=1
	fi
done

# Unload: module exit must be clean too (dmesg is checked by the host).
echo "AK-T: rmmod at $(cut -d' ' -f1 /proc/uptime) s"
rmmod accelkit_sample && rmmod accelkit || { echo "AK: rmmod failed"; rc=1; }

if [ -w $kml ]; then
	echo "AK-T: kmemleak scans from $(cut -d' ' -f1 /proc/uptime) s"
	# Two scans: an object is reported once it stayed unreferenced
	# across a scan and a minimum age.
	sleep 6
	echo scan >$kml
	sleep 1
	echo scan >$kml
	echo "AK-T: kmemleak scans done at $(cut -d' ' -f1 /proc/uptime) s"
	leaks=$(cat $kml)
	if [ -n "$leaks" ]; then
		echo "AK: kmemleak reports:"
		echo "$leaks"
		rc=1
	else
		echo "AK: kmemleak: no leaks"
	fi
fi
exit $rc
