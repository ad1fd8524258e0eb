#!/bin/sh
# A userspace workload whose output must be identical on Kestrel and under
# qemu-aarch64 (user mode) running the same busybox: hashes, compressors,
# bc, awk floating point formatting, sort -g, factor and shell arithmetic.
# The boot test runs it from the virtio disk and compares its output.
gen() { awk 'BEGIN { x = 7; for (i = 0; i < 2000; i++) { x = (x * 69069 + 12345) % 2147483648; printf "%d %d %.10g %.6e %g\n", i, x, x / 7.0, x * 1.000001 / (i + 1), (x % 1000) / 3 } }'; }
gen | md5sum
gen | sha1sum
gen | sha256sum
gen | sha512sum
gen | sha3sum
gen | bzip2 -c | md5sum
gen | bzip2 -c | bunzip2 -c | md5sum
gen | gzip -9 -c | md5sum
gen | sort -k2 -n | md5sum
gen | sort -k3 -g | md5sum
echo "scale=50; 4*a(1)" | bc -l
echo "2^1000 % 1000007" | bc
awk 'BEGIN { printf "%.17g %.17g %e %.3f\n", 1/3, 2/7, 123456789.123, -0.0005 }'
awk 'BEGIN { for (i = -5; i <= 5; i++) printf "%d %.6f %.6f %.6f\n", int(i * 2.7), i / 3.1, i * i / 7.0, 1e300 * i }'
factor 1234567890123 600851475143 2147483647
seq -w 1 0.37 9 | md5sum
expr 123456789 \* 987654321 % 1000000007
echo $(( (1 << 62) / 12345 )) $(( -7 / 2 )) $(( -7 % 3 )) $(( 0x7fffffffffffffff + 1 ))
