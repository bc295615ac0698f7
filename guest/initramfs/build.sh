#!/usr/bin/env bash
# Packs msb-agentd as /init into a newc cpio archive (uncompressed: under TCG the kernel
# copies it faster than it would inflate it).
#   guest/initramfs/build.sh AGENTD OUTPUT
set -euo pipefail
agentd=$1
output=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
strip -o "$stage/init" "$agentd"
chmod 0755 "$stage/init"
(cd "$stage" && echo init | cpio -o -H newc --quiet --reproducible >"$output.tmp")
mv "$output.tmp" "$output"
