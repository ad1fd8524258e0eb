#!/bin/sh
# /test.sh of the Linux snapshot guest: counts with the guest's uptime, so a
# restore must continue both the count and the clock. s= is the second
# core's timer interrupt count (a number only on a multi-core guest).
i=0
while [ $i -lt 150 ]; do
    echo "n=$i t=$(cut -d' ' -f1 /proc/uptime) s=$(awk '/arch_timer/ {print $3}' /proc/interrupts)"
    i=$((i + 1))
    sleep 0.1
done
echo "COUNTER DONE"
