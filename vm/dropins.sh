#!/bin/sh
# Drop-in checks in the VM (ak.mode=dropins): unmodified programs (zlib
# users, openssl) on the device path through libaccelkit-zlib and the
# OpenSSL provider. Runs every /usr/share/accelkit/dropins.d/*.sh; each
# script prints its own checks and exits non-zero on a failure. No script
# at all is a failure too (the image was built without the drop-ins).
dir=/usr/share/accelkit/dropins.d
rc=0 n=0
for s in "$dir"/*.sh; do
	[ -f "$s" ] || continue
	n=$((n + 1))
	name=$(basename "$s" .sh)
	echo "AK-DROPIN-BEGIN: $name"
	if sh "$s"; then
		echo "AK-DROPIN: $name PASS"
	else
		echo "AK-DROPIN: $name FAIL"
		rc=1
	fi
done
if [ $n -eq 0 ]; then
	echo "AK: no drop-in checks in $dir"
	rc=1
fi
# Every queue closed again: each device back to all its instances.
for d in /sys/class/uacce/*; do
	echo "AK-INSTANCES: $(basename "$d") $(cat "$d/available_instances")"
done
rmmod accelkit_sample && rmmod accelkit || { echo "AK: rmmod failed"; rc=1; }
exit $rc
