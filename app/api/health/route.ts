import { NextResponse } from "next/server";
import { getPrisma } from "@/lib/db";
import { checkHealth } from "@/lib/metrics/check-health";

export const dynamic = "force-dynamic";

/** Liveness with database and job queue reachability, for load balancers, compose health checks and the e2e runner. */
export async function GET() {
  const health = await checkHealth(getPrisma());
  return NextResponse.json(health, { status: health.status === "ok" ? 200 : 503 });
}
