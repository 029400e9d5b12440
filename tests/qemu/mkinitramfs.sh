#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the initramfs of the cgroup v2 guest: busybox, the kerf binary and the
# libraries it links, the virtio block modules of the guest kernel, and
# guest-init.sh as /init.
# The archive is written by busybox's own cpio, uncompressed.
#   mkinitramfs.sh OUT.cpio KERF BUSYBOX KERNEL_RELEASE [PROGRAM...]
# (PROGRAMs, linked against a subset of kerf's libraries, go to /bin too.)
set -euo pipefail
out=$1 kerf=$2 busybox=$3 krel=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"

mkdir -p "$root"/{bin,dev,proc,sys,tmp,var/tmp,lib/modules} "$root"/dev/shm
chmod 1777 "$root/tmp" "$root/var/tmp"
cp "$busybox" "$root/bin/busybox"
for app in sh mount umount mkdir cat ls sleep kill poweroff insmod mke2fs \
	   echo grep find wc seq rm timeout sync chown su sed; do
	ln -s busybox "$root/bin/$app"
done
cp "$kerf" "$root/bin/kerf"
for prog in "$@"; do
	cp "$prog" "$root/bin/"
done
# The shared libraries kerf links, at their own paths (the loader included).
ldd "$kerf" | grep -o '/[^ ]*' | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# virtio block, in load order (modules.dep); the rest is built in.
mods=/lib/modules/$krel
for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev \
	 virtio/virtio_pci_modern_dev virtio/virtio_pci block/virtio_blk; do
	if [ -f "$mods/kernel/drivers/$m.ko" ]; then
		cp "$mods/kernel/drivers/$m.ko" "$root/lib/modules/"
		echo "$(basename "$m").ko" >>"$root/lib/modules/order"
	fi
done
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$out"
