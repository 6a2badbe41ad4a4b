// The mount plan: spec → ordered operations + findings. Pure; the host is injected.
export * from './types';
export { planBundle } from './planBundle';
export { PlanMemo } from './planMemo';
export { launchRefusals, refusesLaunch } from './refusals';
export {
  readLaunchSpec,
  type LaunchSpec,
  type ProcessSetup,
  type NamespaceSetup,
  type IdMapping,
  type LaunchProblem,
  CAPABILITIES,
  RLIMITS,
} from './launchSpec';
export { parseSpec, type SpecDocument } from './document';
export { normalizeMount, parseMountOptions, type ParsedOptions } from './normalize';
export { effectiveOptions } from './optionWords';
export {
  addRuntimeMounts,
  networkFileOf,
  NETWORK_FILES,
  NETWORK_FILE_NAMES,
  DEFAULT_STATE_DIR,
} from './runtimeDefaults';
export { planOperations, type OperationsInput } from './operations';
export { renderOperation, renderFlags, renderAttrs, renderOrigin, operationTarget } from './render';
export {
  MS,
  MOUNT_ATTR,
  AT_RECURSIVE,
  MOUNT_OPTIONS,
  optionInfo,
  msFlagsValue,
  mountAttrValue,
  type OptionInfo,
  type OptionKind,
} from './flags';
export type { Rule, RuleContext } from './rule';
export { realHostView, processRequester } from './hostView';
export { ROOT_REQUESTER } from './requester';
export { requesterInvariantViolations } from './requesterInvariant';
export {
  SECCOMP_ACTIONS,
  SECCOMP_FLAGS,
  SECCOMP_OPS,
  notifies,
  renderAction,
  type SeccompFilter,
} from './seccompPlan';
export { sysctlPath } from './sysctlPlan';
export {
  isProcessAttr,
  needsPrivilege,
  planProcessAttrs,
  renderProcessAttr,
  type ProcessAttrOp,
  type SchedAttr,
} from './processAttrPlan';
export {
  isExecLabel,
  planExecLabels,
  type ExecLabelOp,
} from './execLabelPlan';
export { HOOK_KINDS } from './hooksPlan';
export { knownDataOptions, DATA_OPTIONS_ANY_TYPE } from './rules/filesystemData';
export { schemaAt, NAMESPACE_TYPES, S_IFMT, type FieldSchema, type NamespaceType } from './schema';
export {
  CLONE_NEWNS,
  CLONE_NEWCGROUP,
  CLONE_NEWUTS,
  CLONE_NEWIPC,
  CLONE_NEWUSER,
  CLONE_NEWPID,
  CLONE_NEWNET,
  CLONE_NEWTIME,
} from './namespaces';
export {
  bindRemountOp,
  copyUpOp,
  maskOp,
  mkdirOp,
  mkfileOp,
  mknodOp,
  mountOp,
  nameOp,
  pivotRootOp,
  chrootOp,
  propagationOp,
  readonlyPathOps,
  rootfsBindOp,
  rootfsParentPrivateOp,
  setattrOp,
  symlinkOp,
  writeNetworkFileOp,
} from './operationConstructors';
export {
  deviceExceptions,
  renderDeviceException,
  resourceWrites,
  type CgroupDeviceRules,
  type CgroupHierarchy,
  type CgroupWrite,
  type DeviceException,
} from './cgroupPlan';
export {
  parseMountinfo,
  visibleMountAt,
  type MountinfoEntry,
} from './mountinfo';
export {
  describeMountedFlags,
  mountDrift,
  specMountDrift,
  type MountDifference,
  type MountDriftEntry,
} from './mountDrift';
