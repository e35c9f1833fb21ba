import { NextResponse } from "next/server";

import { buildOpenApiDocument } from "@/lib/api/openapi-document";

export const dynamic = "force-static";

/** Serves the OpenAPI 3.1 document of /api/v1. It describes the API only, so it needs no token. */
export function GET() {
  return NextResponse.json(buildOpenApiDocument());
}
