#!/bin/sh
# The `make run` demo, run inside the VM.
set -e
echo "== accelkit devices =="
for d in /sys/class/uacce/*; do
	echo "$(basename "$d"): api=$(cat "$d/api") flags=$(cat "$d/flags")" \
		"available_instances=$(cat "$d/available_instances")" \
		"algorithms=$(tr '\n' ' ' <"$d/algorithms")"
done
echo "== COPY and FILL jobs from an ordinary process's heap =="
akdemo
