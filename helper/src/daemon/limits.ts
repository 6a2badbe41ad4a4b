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
/**
 * Bytes waiting for one client (written to its socket, not yet taken by the kernel) beyond
 * which `container/output` notifications to it are dropped, each gap counted and reported
 * with the next output it is sent (`OutputEvent.dropped`).
 */
export const MAX_QUEUED_OUTPUT_BYTES = 1024 * 1024;
/** The same, for all clients together: many slow clients cannot add up to much memory either. */
export const MAX_QUEUED_OUTPUT_TOTAL_BYTES = 32 * 1024 * 1024;
/**
 * A client with less than this waiting is sent output even when the shared allowance is
 * used up: clients that keep up are not starved by others that do not read.
 */
export const MIN_QUEUED_OUTPUT_BYTES = 128 * 1024;
/**
 * Bytes waiting for one client beyond which the next message (a reply or a notification
 * that is not output) closes the connection instead: the client does not read.
 */
export const MAX_PENDING_WRITE_BYTES = 16 * 1024 * 1024;
/** A new connection must have sent one complete message within this time. */
export const FIRST_MESSAGE_TIMEOUT_MS = 5000;
/** Each message must be complete this long after its first byte arrived. Between messages a client may stay idle. */
export const MESSAGE_TIMEOUT_MS = 5000;
/** Request parameters nested deeper than this are refused (every request takes a flat object). */
export const MAX_PARAMS_DEPTH = 8;
