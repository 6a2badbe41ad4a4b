// The shape of a container PID 1's mountinfo after pivot_root: paths are container paths.
export const MOUNTINFO = [
  '600 550 0:60 / / rw,relatime - ext4 /dev/sda1 rw',
  '601 600 0:62 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '602 600 0:63 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
  '603 602 0:64 / /dev/pts rw,nosuid,noexec,relatime shared:5 - devpts devpts rw,gid=5,mode=620,ptmxmode=666',
  '604 600 8:1 /srv/data /data ro,nosuid,nodev,relatime - ext4 /dev/sda1 rw',
  '605 600 0:65 / /tmp\\040dir rw,nosuid,nodev - tmpfs tmpfs rw',
  '606 600 0:66 / /cache rw,relatime - tmpfs tmpfs rw',
  '607 606 0:67 / /cache ro,relatime - tmpfs tmpfs ro',
  '',
].join('\n');
