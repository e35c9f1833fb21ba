import { NextResponse } from "next/server";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError, publicMessage } from "@/lib/errors";
import { getQueueClient } from "@/lib/jobs/queue";
import { logger } from "@/lib/log";
import { readBodyCapped } from "@/lib/registry/response-body";
import { createPushSyncQueue } from "@/lib/sync/push-events/push-sync-queue";
import { receivePushEvents } from "@/lib/sync/push-events/receive-push-events";

export const dynamic = "force-dynamic";

/** Largest push event body accepted, in bytes. Distribution batches events, so one envelope can contain many. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Receives a registry's push events: CNCF distribution notifications with
 * `Authorization: Bearer TOKEN`, or Docker Hub webhooks with `?token=TOKEN` in
 * the URL. Responds 202 with what was queued, 401 for a wrong token, 400 for
 * a malformed body and 413 for a body over 1 MiB.
 */
export async function POST(request: Request, { params }: { params: Promise<{ registryId: string }> }) {
  const { registryId } = await params;
  try {
    const token = bearerToken(request.headers.get("authorization")) ?? new URL(request.url).searchParams.get("token");
    const bytes = await readBodyCapped(new Response(request.body, { headers: request.headers }), MAX_BODY_BYTES, () => {
      return new AppError("TOO_LARGE", `The push event body is larger than ${MAX_BODY_BYTES} bytes. Lower the registry's notification batch size.`);
    });
    const env = getEnv();
    if (!env.DATABASE_URL) throw new AppError("CONFIGURATION", "DATABASE_URL is not set in the web server, so push events cannot be queued.");
    const queue = createPushSyncQueue(await getQueueClient(env.DATABASE_URL));
    const result = await receivePushEvents(getPrisma(), queue, { registryId, token, body: new TextDecoder().decode(bytes) });
    return NextResponse.json(result, { status: 202 });
  } catch (error) {
    const status = error instanceof AppError ? error.status : 500;
    const code = error instanceof AppError ? error.code : "INTERNAL";
    if (status >= 500) logger.error({ err: error, registry: registryId }, "receiving push events failed");
    else if (code !== "UNAUTHORIZED") logger.info({ code, message: publicMessage(error), registry: registryId }, "push event delivery rejected");
    return NextResponse.json({ error: { code, message: publicMessage(error) } }, { status });
  }
}

/** Returns the token of an `Authorization: Bearer TOKEN` header, or null. */
function bearerToken(header: string | null): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}
