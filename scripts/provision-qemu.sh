#!/usr/bin/env bash
# Makes sure linux/arm64 binaries can run here, for the release test: Debian's qemu-user
# (qemu-aarch64) and the arm64 C and C++ runtimes as its sysroot (libc6-arm64-cross,
# libstdc++6-arm64-cross), installed with apt only when missing. Prints the sysroot folder
# (for qemu-aarch64 -L); progress goes to stderr, apt's output to a log file.
set -euo pipefail
source "$(dirname "$0")/lib/quiet.sh"
KF_LOG="$kf_cache/logs/provision-qemu.log"
sysroot=/usr/aarch64-linux-gnu

missing=()
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
[[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ]] || missing+=(libc6-arm64-cross)
compgen -G "$sysroot/lib/libstdc++.so.6*" >/dev/null || missing+=(libstdc++6-arm64-cross)
install_missing "${missing[@]}"
echo "$sysroot"
