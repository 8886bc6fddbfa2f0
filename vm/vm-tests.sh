#!/bin/sh
# The in-VM integration suite. Exit status is the suite's.
kml=/sys/kernel/debug/kmemleak
# Forget what boot left behind: only leaks made by the suite count.
[ -w $kml ] && echo clear >$kml

rc=0
ak-vm-tests || rc=$?

# After every queue is closed, each device is back to all its instances.
for d in /sys/class/uacce/*; do
	echo "AK-INSTANCES: $(basename "$d") $(cat "$d/available_instances")"
done

# Unload: module exit must be clean too (dmesg is checked by the host).
rmmod accelkit_sample && rmmod accelkit || { echo "AK: rmmod failed"; rc=1; }

if [ -w $kml ]; then
	# Two scans: an object is reported once it stayed unreferenced
	# across a scan and a minimum age.
	sleep 6
	echo scan >$kml
	sleep 1
	echo scan >$kml
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
