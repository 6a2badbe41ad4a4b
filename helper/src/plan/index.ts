// The mount plan: spec → ordered operations + findings. Pure; the host is injected.
export * from './types';
export { planBundle } from './planBundle';
export { launchRefusals, refusesLaunch } from './refusals';
export {
  readLaunchSpec,
  type LaunchSpec,
  type ProcessSetup,
  type NamespaceSetup,
  type LaunchProblem,
} from './launchSpec';
export { parseSpec, type SpecDocument } from './document';
export { normalizeMount, parseMountOptions, type ParsedOptions } from './normalize';
export {
  addRuntimeMounts,
  networkFileOf,
  NETWORK_FILES,
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
export { resourceWrites, type CgroupHierarchy, type CgroupWrite } from './cgroupPlan';
