import { NextResponse, type NextRequest } from "next/server";

import { authenticateToken } from "@/lib/api/authenticate-token";
import type { Viewer } from "@/lib/auth/get-viewer";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";

/** Context of an API handler: the token's user, the request and the raw path parameters, still percent-encoded. */
export interface ApiContext<P> {
  viewer: Viewer;
  request: NextRequest;
  params: P;
}

/** Headers on every API response: nothing is cached by shared caches, and JSON is never sniffed as HTML. */
const commonHeaders = { "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff" };

/**
 * Wraps an /api/v1 handler in the steps every endpoint shares: authenticate
 * the bearer token, run the handler, and send its result as JSON (a Response
 * it returns is sent as it is). An AppError becomes its status with a body
 * `{ "error": { "code", "message" } }`. 401 responses carry the
 * `WWW-Authenticate: Bearer` challenge of RFC 6750. Other errors are logged in
 * full and reach the client as a generic 500.
 */
export function apiRoute<P>(operation: string, handler: (context: ApiContext<P>) => Promise<unknown>) {
  return async (request: NextRequest, segment: { params: Promise<P> }): Promise<Response> => {
    try {
      const viewer = await authenticateToken(request.headers.get("authorization"));
      const result = await handler({ viewer, request, params: await segment.params });
      if (result instanceof Response) return result;
      return NextResponse.json(result, { headers: commonHeaders });
    } catch (error) {
      return apiErrorResponse(error, { operation, path: request.nextUrl.pathname });
    }
  };
}

/** Builds the JSON error response of an API request, logging rejected requests at info level and server errors in full. */
export function apiErrorResponse(error: unknown, ids: Record<string, string>): Response {
  const status = error instanceof AppError ? error.status : 500;
  const code = error instanceof AppError ? error.code : "INTERNAL";
  const message = publicMessage(error);
  if (status >= 500) logger.error({ err: error, ...ids }, "API request failed");
  else logger.info({ code, status, message, ...ids }, "API request rejected");

  const headers: Record<string, string> = { ...commonHeaders };
  if (status === 401) headers["WWW-Authenticate"] = bearerChallenge(error);
  return NextResponse.json({ error: { code, message } }, { status, headers });
}

/** RFC 6750 section 3: a request without credentials gets the bare challenge, a bad token gets `error="invalid_token"`. */
function bearerChallenge(error: unknown): string {
  const bare = error instanceof AppError && error.details.challenge === false;
  return bare ? 'Bearer realm="shipshape"' : 'Bearer realm="shipshape", error="invalid_token"';
}
