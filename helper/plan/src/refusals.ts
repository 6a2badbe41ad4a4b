// Which findings stop a launch: the one answer the editor, the CLI and the helper share.
import type { Finding, Plan } from './types';

/** An error, or a warning about something Bindery cannot run yet: the helper will not launch. */
export function refusesLaunch(f: Finding): boolean {
  return f.severity === 'error' || f.blocksLaunch === true;
}

/** What makes the helper refuse this plan; empty when it can be launched. */
export function launchRefusals(plan: Plan): Finding[] {
  return plan.findings.filter(refusesLaunch);
}
