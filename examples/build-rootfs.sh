#!/bin/sh
# Assemble examples/*/rootfs/ from the host's own busybox (Debian: apt-get install
# busybox-static). Nothing is downloaded. Safe to run again: the rootfs is rebuilt.
#
#   examples/build-rootfs.sh [BUNDLE_DIR...]     (default: every bundle under examples/)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-}
if [ -z "$busybox" ]; then
  for candidate in /bin/busybox /usr/bin/busybox; do
    [ -x "$candidate" ] && busybox=$candidate && break
  done
fi
if [ -z "$busybox" ]; then
  echo "build-rootfs: busybox not found; install it (Debian/Ubuntu: apt-get install busybox-static)" >&2
  # A developer build without it still produces the helper; CI must have the example.
  [ -n "${CI:-}" ] && exit 1
  echo "build-rootfs: examples/*/rootfs not built; \`bindery run examples/hello\` will not work" >&2
  exit 0
fi
# A dynamically linked busybox would need the host's libraries inside the rootfs.
if LC_ALL=C ldd "$busybox" 2>&1 | grep -q '=>'; then
  echo "build-rootfs: $busybox is not statically linked; install busybox-static" >&2
  exit 1
fi

[ $# -gt 0 ] || set -- "$here"/*/
for bundle in "$@"; do
  bundle=${bundle%/}
  [ -f "$bundle/config.json" ] || continue
  rootfs="$bundle/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs/bin" "$rootfs/sbin" "$rootfs/usr/bin" "$rootfs/usr/sbin" \
    "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" \
    "$rootfs/data" "$rootfs/var/log" "$rootfs/run"
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] && continue
    ln -sf busybox "$rootfs/bin/$applet"
  done
  # true/false/sh where programs expect them in /usr/bin too.
  for applet in env true false; do ln -sf ../../bin/busybox "$rootfs/usr/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  # Mount points for the network files the runtime binds in.
  : >"$rootfs/etc/hosts"
  : >"$rootfs/etc/hostname"
  : >"$rootfs/etc/resolv.conf"
  echo "build-rootfs: $rootfs ($("$busybox" --list | wc -l) applets)"
done
