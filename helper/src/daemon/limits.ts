// What the daemon accepts from a connection, in numbers. One place, so PROTOCOL.md and the
// code can be compared at a glance.

/** Largest JSON-RPC message body (Content-Length) a client may send. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Largest header block (the `Content-Length: …\r\n\r\n` part) before a body. */
export const MAX_HEADER_BYTES = 4096;
/** Output kept per container for `logs`; older chunks are dropped first. */
export const MAX_LOG_BYTES = 1024 * 1024;
/** Containers one non-root uid may have at a time (root is not limited). */
export const MAX_CONTAINERS_PER_USER = 64;
/** Connections open at once; more are accepted and closed at once with an error. */
export const MAX_CONNECTIONS = 256;
/** Connections one non-root uid may hold, so no user can use up the others' share. */
export const MAX_CONNECTIONS_PER_USER = 32;
/** Unsent bytes queued for a client that does not read; beyond this it is disconnected. */
export const MAX_PENDING_WRITE_BYTES = 16 * 1024 * 1024;
