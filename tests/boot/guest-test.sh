#!/bin/sh
# Runs inside the boot-test guest as /test.sh (busybox sh), started by the
# initramfs' /init when "kestrel.test" is on the kernel command line. The
# host (tests/boot/boot_test.py) passes what it expects on the command line:
#   kestrel.cpus=N        CPUs the kernel must have brought up
#   kestrel.md5=HEX       md5 of the workload's text (computed on the host)
#   kestrel.time=SECONDS  host wall-clock time at boot (for the RTC check)
#   kestrel.rtc=1         the board has a PL031 RTC (rtc0)
#   kestrel.disk=1        a virtio-blk ext4 image is attached as /dev/vda
# Every check prints "CHECK <name>: ok" or "CHECK <name>: FAIL <why>"; the
# last line is "KESTREL-BOOT-TEST: PASS" only when all of them passed.

failures=0
ok() { echo "CHECK $1: ok"; }
fail() {
    echo "CHECK $1: FAIL $2"
    failures=$((failures + 1))
}
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^kestrel\.$1=//p" | head -n 1; }

echo "KESTREL-BOOT-TEST: start"

# --- CPUs ---------------------------------------------------------------
want_cpus=$(arg cpus)
have_cpus=$(grep -c '^processor' /proc/cpuinfo)
if [ "$have_cpus" = "$want_cpus" ]; then ok cpus; else fail cpus "have $have_cpus, want $want_cpus"; fi

# --- interrupts: the GIC and a ticking timer on every CPU ----------------
# Keep each CPU busy for a moment so an idle (tickless) core still sees
# timer interrupts.
i=0
while [ $i -lt "$have_cpus" ]; do
    taskset -c $i sh -c 'n=0; while [ $n -lt 3000 ]; do n=$((n + 1)); done' &
    i=$((i + 1))
done
wait
if grep -q 'GICv3' /proc/interrupts; then ok gic; else fail gic "no GICv3 line in /proc/interrupts"; fi
timer=$(grep 'arch_timer' /proc/interrupts | head -n 1)
if [ -z "$timer" ]; then
    fail timer "no arch_timer line in /proc/interrupts"
else
    set -- $timer
    shift # the IRQ number
    c=0
    zero=""
    while [ $c -lt "$have_cpus" ]; do
        [ "$1" -gt 0 ] 2>/dev/null || zero="$zero cpu$c=$1"
        shift
        c=$((c + 1))
    done
    if [ -z "$zero" ]; then ok timer; else fail timer "no ticks on$zero"; fi
fi

# --- RTC ----------------------------------------------------------------
if [ "$(arg rtc)" = 1 ]; then
    host_time=$(arg time)
    rtc=""
    if [ -r /sys/class/rtc/rtc0/since_epoch ]; then
        rtc=$(cat /sys/class/rtc/rtc0/since_epoch)
    fi
    if [ -z "$rtc" ]; then
        fail rtc "no /sys/class/rtc/rtc0"
    elif [ $((rtc - host_time)) -gt 600 ] || [ $((host_time - rtc)) -gt 600 ]; then
        fail rtc "rtc0 says $rtc, host said $host_time"
    else
        ok rtc
        echo "rtc0: $(cat /sys/class/rtc/rtc0/date) $(cat /sys/class/rtc/rtc0/time)"
    fi
fi

# --- workload: shell arithmetic and gzip ---------------------------------
sum=0
i=1
while [ $i -le 5000 ]; do
    sum=$(((sum + i * i) % 1000003))
    i=$((i + 1))
done
# sum of i^2 for i = 1..5000 is 41679167500, which is 42463 mod 1000003
if [ "$sum" = 42463 ]; then ok arith; else fail arith "sum $sum"; fi

want_md5=$(arg md5)
gen() { awk 'BEGIN { x = 1; for (i = 0; i < 10000; i++) { x = (x * 69069 + 12345) % 2147483648; print i, x } }'; }
plain=$(gen | md5sum | cut -d' ' -f1)
round=$(gen | gzip -c | gzip -dc | md5sum | cut -d' ' -f1)
if [ "$plain" = "$want_md5" ] && [ "$round" = "$want_md5" ]; then
    ok gzip
else
    fail gzip "plain $plain round $round want $want_md5"
fi

# --- virtio-blk + ext4 ----------------------------------------------------
if [ "$(arg disk)" = 1 ]; then
    mkdir -p /mnt/disk
    if ! mount -t ext4 /dev/vda /mnt/disk; then
        fail disk "cannot mount /dev/vda"
    else
        if (cd /mnt/disk && md5sum -c manifest.md5 >/dev/null); then ok disk-read; else fail disk-read "manifest mismatch"; fi
        gen >/mnt/disk/written.txt
        echo "written by the guest" >/mnt/disk/note.txt
        umount /mnt/disk
        mount -t ext4 /dev/vda /mnt/disk
        got=$(md5sum </mnt/disk/written.txt | cut -d' ' -f1)
        if [ "$got" = "$want_md5" ] && grep -q "written by the guest" /mnt/disk/note.txt; then
            ok disk-write
        else
            fail disk-write "after remount: $got"
        fi
        # The host compares this output with the same busybox under qemu-aarch64.
        if [ -f /mnt/disk/workload.sh ]; then
            (cd /tmp && sh /mnt/disk/workload.sh >/mnt/disk/workload.out 2>&1)
            echo "workload: $(wc -l </mnt/disk/workload.out) lines"
        fi
        umount /mnt/disk
    fi
fi

if [ $failures -eq 0 ]; then
    echo "KESTREL-BOOT-TEST: PASS"
else
    echo "KESTREL-BOOT-TEST: FAIL ($failures)"
fi
sync
