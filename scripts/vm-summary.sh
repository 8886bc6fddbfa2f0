#!/bin/bash
# The abuse summary of one VM run (issue 11 "Figures"), from its serial log:
#   AK-SUMMARY <run> (<kernel>): ops=N seeds=N injections=N splats=N
#       leaks=N|n/a lost=N dup=N counters: <dev> instances=A/B pasids=P hw_errors=E ...
# ops/seeds/injections/lost/dup are the sums of the guest's
# "AK-ABUSE: <source> ops= seeds= injections= lost= dup=" lines (the fuzzer,
# the fault-injection, unplug and storm suites); splats counts the kernel
# reports that vm-run.sh fails on; leaks is kmemleak's count after the suite
# (n/a on kernels without kmemleak); counters are the device's sysfs values
# after every queue was closed (AK-COUNTERS, vm/vm-tests.sh).
# usage: vm-summary.sh LOG SPLAT-REGEX
set -uo pipefail
log=$1 splat=$2
run=$(basename "$log" .log)
kver=$(grep -a -o 'AK-KERNEL: [^ ]*' "$log" | tail -n1 | sed 's/.*: //' | tr -d '\r')

sums=$(grep -a -o 'AK-ABUSE: .*' "$log" | tr -d '\r' | awk '
	{ for (i = 3; i <= NF; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } }
	END { printf "ops=%d seeds=%d injections=%d lost=%d dup=%d",
		s["ops"], s["seeds"], s["injections"], s["lost"], s["dup"] }')
splats=$(bash "$(dirname "$0")/vm-splats.sh" "$log" "$splat" | wc -l)
if grep -a -q 'AK: kmemleak: no leaks' "$log"; then
	leaks=0
elif grep -a -q 'AK: kmemleak reports:' "$log"; then
	leaks=$(grep -a -c 'unreferenced object' "$log")
else
	leaks=n/a
fi
counters=$(grep -a -o 'AK-COUNTERS: .*' "$log" | tr -d '\r' | sed 's/AK-COUNTERS: //' |
	paste -sd';' | sed 's/;/; /g')
echo "AK-SUMMARY $run (${kver:-?}): $sums splats=$splats leaks=$leaks counters: ${counters:-none}"
