#!/bin/bash
# Print the version of the newest installed Debian guest kernel that has both
# an image in /boot and headers (/lib/modules/<ver>/build). Never hard-coded.
set -euo pipefail
for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -rV); do
	ver=$(basename "$(dirname "$d")")
	if [ -r "/boot/vmlinuz-$ver" ]; then
		echo "$ver"
		exit 0
	fi
done
echo "guest-kernel: no kernel with headers found (run make deps)" >&2
exit 1
