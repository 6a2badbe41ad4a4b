// Errors a request handler throws on purpose: each becomes a JSON-RPC error reply with
// the protocol's code and an ErrorData naming what and where. Anything else thrown is a bug
// and is answered as an internal error without a stack trace.
import { ErrorCodes, type ErrorData } from '../protocol';

export class HelperError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: ErrorData,
  ) {
    super(message);
  }
}

export const notFound = (id: string) => new HelperError(ErrorCodes.NotFound, `no container ${id}`, { reason: 'not-found' });

export const notOwner = (id: string, uid: number) =>
  new HelperError(ErrorCodes.PermissionDenied, `container ${id} belongs to another user; only its owner or root may use it (you are uid ${uid})`, {
    reason: 'not-owner',
  });

export const invalidParams = (message: string) => new HelperError(ErrorCodes.InvalidParams, message, { reason: 'invalid-params' });
