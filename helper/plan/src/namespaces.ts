// CLONE_NEW* flags from <linux/sched.h>: what unshare(2) and setns(2) take for each namespace
// type. Here so the plan can say which namespaces a launch creates; the syscall layer reuses them.
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_NEWTIME = 0x00000080;
