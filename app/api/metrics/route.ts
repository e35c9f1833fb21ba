import { timingSafeEqual } from "node:crypto";
import { NextResponse } from "next/server";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/log";
import { collectMetrics } from "@/lib/metrics/collect-metrics";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics, for a scraper that sends `Authorization: Bearer METRICS_TOKEN`.
 * Without METRICS_TOKEN set, the endpoint is off and responds 404.
 */
export async function GET(request: Request) {
  const token = getEnv().METRICS_TOKEN;
  if (token === undefined) {
    return NextResponse.json(
      { error: { code: "NOT_FOUND", message: "Metrics are turned off. Set METRICS_TOKEN on the server and send it as a bearer token to scrape /api/metrics." } },
      { status: 404 },
    );
  }
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (sent === undefined || !sameSecret(sent, token)) {
    logger.warn({ path: "/api/metrics", sent: sent !== undefined }, "metrics request with a missing or wrong token");
    return NextResponse.json(
      { error: { code: "UNAUTHORIZED", message: sent === undefined ? "Missing bearer token. Send Authorization: Bearer METRICS_TOKEN." : "Wrong bearer token. Send the METRICS_TOKEN the server was started with." } },
      { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="shipshape-metrics"' } },
    );
  }
  const metrics = await collectMetrics(getPrisma());
  return new Response(metrics.body, { headers: { "Content-Type": metrics.contentType, "Cache-Control": "no-store" } });
}

function sameSecret(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
