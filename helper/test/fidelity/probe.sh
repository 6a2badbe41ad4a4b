#!/bin/sh
# What a process in the container observes, one "key<TAB>value" line each, in a stable
# order: the fidelity suite runs this same script under runc and under Bindery and compares
# the lines. Numbers that differ between any two runs of the same container (mount ids,
# device numbers, peer group ids, pids) are left out; everything a user could check is in.
# Arguments: extra paths to stat (a case's own mount points, created directories, …).
paths="$*"
tab=$(printf '\t')
out() { printf '%s\t%s\n' "$1" "$2"; }

# The mount table, in order: mount point, root inside the filesystem, per-mount options,
# propagation (without peer group numbers), type, source, superblock options, and the mode
# and owner of what is mounted.
while read -r _id _parent _dev root point opts rest; do
  prop=''
  set -- $rest
  while [ "$1" != '-' ]; do
    prop="$prop ${1%%:*}"
    shift
  done
  fstype=$2 source=$3 super=$4
  out "mount $point" "$fstype $source root=$root $opts${prop:- private} super=$super $(stat -c '%a %u:%g' "$point" 2>&1)"
done </proc/self/mountinfo

# The shell's own status: it is the process the runtime started (exec keeps these).
while IFS="$tab" read -r key value; do
  case $key in
    Uid: | Gid: | Groups: | CapInh: | CapPrm: | CapEff: | CapBnd: | CapAmb: | NoNewPrivs: | Seccomp: | Seccomp_filters:)
      out "status ${key%:}" "$(echo $value)" ;;
  esac
done </proc/self/status
while read -r line; do
  case $line in Limit*) continue ;; esac
  out "rlimit ${line%%  *}" "$(echo "${line#*  }" | sed 's/  */ /g')"
done </proc/self/limits
out uid_map "$(tr -s ' ' <"/proc/self/uid_map" | tr '\n' '|')"
out gid_map "$(tr -s ' ' <"/proc/self/gid_map" | tr '\n' '|')"
out setgroups "$(cat /proc/self/setgroups)"
out timens_offsets "$(tr -s ' ' </proc/self/timens_offsets | tr '\n' '|')"
# Whole days of uptime: the boot time a time namespace's offset moves (stable between two runs).
out 'uptime days' "$(($(cut -d. -f1 /proc/uptime) / 86400))"
out umask "$(umask)"
# Inherited across execve: the execution domain, I/O priority, scheduling (priority, nice,
# rt_priority, policy from cut's own /proc stat line) and the CPUs it may run on.
out personality "$(cat /proc/self/personality) $(uname -m)"
out ioprio "$(ionice 2>&1)"
out sched "$(cut -d' ' -f18,19,40,41 /proc/self/stat)"
out affinity "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)"
out oom_score_adj "$(cat /proc/self/oom_score_adj)"
out cwd "$(pwd) $(stat -c '%a %u:%g' .)"
tr '\0' '\n' </proc/$$/environ | sort | while read -r e; do out "env ${e%%=*}" "${e#*=}"; done
out hostname "$(hostname)"
out domainname "$(cat /proc/sys/kernel/domainname)"
for f in /etc/hosts /etc/hostname /etc/resolv.conf; do
  out "file $f" "$(cat $f 2>&1 | tr '\n' '|')"
done
for d in / /tmp /dev /dev/shm /dev/mqueue /etc /root /sys /sys/fs/cgroup /proc/sys; do
  if touch "$d/.fidelity-probe" 2>/dev/null; then rm -f "$d/.fidelity-probe"; w=writable; else w=read-only; fi
  out "writable $d" $w
done
out 'mkdir /tmp/.probe' "$(mkdir /tmp/.probe 2>&1 && rmdir /tmp/.probe && echo made)"
for n in /dev/*; do out "dev $n" "$(stat -c '%F %a %u:%g %t:%T' "$n")"; done
out cgroup "$(tr '\n' '|' </proc/self/cgroup)"
out 'cgroup listing' "$(ls /sys/fs/cgroup 2>&1 | tr '\n' ' ')"
for f in devices/devices.list memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes memory/memory.swappiness \
  pids/pids.max cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpuset/cpuset.cpus \
  memory/memory.memsw.limit_in_bytes memory/memory.kmem.limit_in_bytes memory/memory.kmem.tcp.limit_in_bytes \
  cpu/cpu.rt_runtime_us cpu/cpu.rt_period_us cpu/cpu.cfs_burst_us cpu/cpu.idle \
  blkio/blkio.bfq.weight blkio/blkio.throttle.read_bps_device blkio/blkio.throttle.write_bps_device \
  blkio/blkio.throttle.read_iops_device blkio/blkio.throttle.write_iops_device \
  memory.max memory.low pids.max cpu.max cpu.weight; do
  out "cgroup file $f" "$(cat /sys/fs/cgroup/$f 2>&1 | tr '\n' ' ')"
done
for k in kernel/shm_rmid_forced kernel/msgmax kernel/sem net/ipv4/ip_forward \
  net/ipv4/ping_group_range net/core/somaxconn fs/mqueue/msg_max vm/overcommit_memory; do
  out "sysctl $k" "$(cat /proc/sys/$k 2>&1)"
done
# The terminal (process.terminal): what stdio is, its size and owner, and whether it is the
# controlling terminal of the process's session.
if [ -t 0 ]; then
  out tty "$(tty) $(readlink /proc/$$/fd/1) $(readlink /proc/$$/fd/2)"
  out 'tty size' "$(stty size)"
  out 'tty node' "$(stat -c '%F %a %u:%g %t:%T' "$(tty)")"
  out 'tty controlling' "$(ps -o pid,tty | awk -v me=$$ '$1 == me { print $2 }')"
  out 'tty /dev/tty' "$( (: </dev/tty) 2>&1 && echo opens)"
else
  out tty 'not a tty'
fi
for p in $paths; do out "stat $p" "$(stat -c '%F %a %u:%g' "$p" 2>&1)"; done
