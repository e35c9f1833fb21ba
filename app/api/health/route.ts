import { NextResponse } from "next/server";
import { getPrisma } from "@/lib/db";
import { logger } from "@/lib/log";

export const dynamic = "force-dynamic";

/** Liveness and database reachability, for load balancers and the e2e runner. */
export async function GET() {
  try {
    await getPrisma().$queryRaw`SELECT 1`;
    return NextResponse.json({ status: "ok", database: "ok" });
  } catch (error) {
    logger.error({ err: error }, "health check: database unreachable");
    return NextResponse.json({ status: "error", database: "unreachable" }, { status: 503 });
  }
}
