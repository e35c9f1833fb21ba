import { apiRoute } from "@/lib/api/api-route";
import { findAdvisoriesForPackages, MAX_QUERY_BODY_BYTES, parseAdvisoryQuery } from "@/lib/api/find-advisories-for-packages";
import { readQueryParams } from "@/lib/api/request-params";
import { AppError } from "@/lib/errors";
import { readBodyCapped } from "@/lib/registry/response-body";
import { describeJsonSyntaxError } from "@/lib/security/hide-credentials";

export const dynamic = "force-dynamic";

/**
 * Returns the stored advisories that name any of the posted packages, with the
 * known-exploited CVEs among them and the advisory snapshot id, for
 * `shipshape score --server` to match packages exactly as the server does.
 */
export const POST = apiRoute<Record<string, never>>("query advisories", async ({ request }) => {
  readQueryParams(request.nextUrl.searchParams, {});
  const tooLarge = () => new AppError("TOO_LARGE", `The request body is larger than ${MAX_QUERY_BODY_BYTES} bytes. Split the packages into several queries.`);
  const text = Buffer.from(await readBodyCapped(request, MAX_QUERY_BODY_BYTES, tooLarge)).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new AppError("INVALID_INPUT", `The request body is not valid JSON (${describeJsonSyntaxError(error)}). Send {"packages": [{"ecosystem": "…", "name": "…"}]} with Content-Type: application/json.`);
  }
  return findAdvisoriesForPackages(parseAdvisoryQuery(body));
});

