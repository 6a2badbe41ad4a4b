// What a container id may be: it names the container's state directory, so no path tricks.
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A container id the state directory can use: the pattern, and not a name of a directory itself. */
export function isContainerId(id: string): boolean {
  return ID_PATTERN.test(id) && id !== '.' && id !== '..';
}
