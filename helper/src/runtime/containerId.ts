// What a container id may be: it names the container's state directory, so no path tricks.
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
