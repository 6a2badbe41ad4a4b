// Every validation rule, in the order their findings are listed.
import type { Rule } from '../rule';
import { bindDataOptionsRule, bindSourceRule, bindTypeRule, rbindReadOnlyRule } from './bindMount';
import { dataOptionValueRule } from './dataOptionValues';
import { defaultMountsRule, tmpMountRule } from './defaultMounts';
import { deviceFileModeRule, deviceNumbersRule } from './devices';
import { hiddenMountRule } from './hiddenMounts';
import { idmapRule } from './idmap';
import { launchSettingsRule, unappliedFeatureRule } from './launchSupport';
import { maskedPathsRule } from './maskedPaths';
import { mountDestinationRule } from './mountDestination';
import { mountTypeRule, nulByteRule } from './mountEntry';
import {
  conflictingOptionsRule,
  dataOptionsForTypeRule,
  misspeltOptionRule,
  recursiveOptionRule,
  tmpcopyupRule,
} from './mountOptions';
import { namespaceListRule, utsNamespaceRule } from './namespaces';
import { networkFileRule } from './networkFiles';
import { namespacedFilesystemRule, procMountRule, procSysTargetRule } from './procSys';
import { processCwdRule } from './process';
import { rootfsPropagationRule, rootRule } from './root';
import { requesterPolicyRule } from './requesterPolicy';
import { syscallNameRule } from './seccomp';
import { seccompNotifyRule } from './seccompNotify';
import { unappliedResourcesRule } from './resources';
import { securityLabelRule } from './securityLabels';
import { structureRule } from './structure';
import { sysctlNamespaceRule } from './sysctl';
import { mappedIdOptionRule, userNamespaceRule } from './userns';

export const allRules: Rule[] = [
  structureRule,
  rootRule,
  rootfsPropagationRule,
  mountDestinationRule,
  mountTypeRule,
  nulByteRule,
  bindTypeRule,
  bindDataOptionsRule,
  bindSourceRule,
  rbindReadOnlyRule,
  misspeltOptionRule,
  dataOptionsForTypeRule,
  dataOptionValueRule,
  recursiveOptionRule,
  conflictingOptionsRule,
  tmpcopyupRule,
  idmapRule,
  procMountRule,
  procSysTargetRule,
  namespacedFilesystemRule,
  networkFileRule,
  hiddenMountRule,
  namespaceListRule,
  utsNamespaceRule,
  sysctlNamespaceRule,
  userNamespaceRule,
  mappedIdOptionRule,
  maskedPathsRule,
  processCwdRule,
  deviceNumbersRule,
  deviceFileModeRule,
  syscallNameRule,
  launchSettingsRule,
  unappliedFeatureRule,
  securityLabelRule,
  seccompNotifyRule,
  unappliedResourcesRule,
  defaultMountsRule,
  tmpMountRule,
  requesterPolicyRule,
];
