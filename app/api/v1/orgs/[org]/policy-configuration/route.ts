import { apiRoute } from "@/lib/api/api-route";
import { readPathParams, readQueryParams } from "@/lib/api/request-params";
import { getPolicyConfiguration } from "@/lib/data/get-policy-configuration";

export const dynamic = "force-dynamic";

/**
 * Returns the organization's current policy configuration in the schema of
 * scoring's parsePolicyConfig, so `shipshape score --server` grades with the
 * same weights and options as the dashboard.
 */
export const GET = apiRoute<{ org: string }>("get policy configuration", async ({ viewer, request, params }) => {
  const { org } = readPathParams(params);
  readQueryParams(request.nextUrl.searchParams, {});
  const configuration = await getPolicyConfiguration(viewer, org);
  return { version: configuration.version, configuration };
});
