#!/bin/bash
# The kernel reports in a VM's serial log: the lines matching SPLAT-REGEX
# (scripts/vm-run.sh), except the "Call Trace:" that an OOM kill prints
# right after "<task> invoked oom-killer:" (the stack of the task that
# invoked the OOM killer, part of its report; the storm suite provokes an
# OOM kill on purpose). Every other line of an OOM report is not a splat.
# usage: vm-splats.sh LOG SPLAT-REGEX
set -uo pipefail
awk -v re="$2" '
	/invoked oom-killer:/ { oom = NR }
	$0 ~ re && !(/Call Trace:/ && oom && NR - oom <= 6) { print }
' "$1"
