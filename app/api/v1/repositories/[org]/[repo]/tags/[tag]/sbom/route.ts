import { apiRoute } from "@/lib/api/api-route";
import { imageDigest, oneOf, readPathParams, readQueryParams } from "@/lib/api/request-params";
import { tagPlatform } from "@/lib/api/tag-platform";
import { renderSbom, sbomFormatNames, sbomFormats } from "@/lib/analysis/sbom-formats";
import { getImageSbomInput } from "@/lib/data/get-image-analysis";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/**
 * Returns the SBOM of a tag's platform image (by default the platform whose
 * grade is the tag's) as SPDX 2.3 or CycloneDX 1.6 JSON, the same document as
 * the tag page's download. 409 while the image is not analysed.
 */
export const GET = apiRoute<{ org: string; repo: string; tag: string }>("export SBOM", async ({ viewer, request, params }) => {
  const { org, repo, tag } = readPathParams(params);
  const { format, platform } = readQueryParams(request.nextUrl.searchParams, { format: oneOf(sbomFormatNames), platform: imageDigest });
  if (format === undefined) throw new AppError("INVALID_INPUT", `The query parameter "format" is missing. Use format=${sbomFormatNames.join(" or format=")}.`);

  const digest = await tagPlatform(viewer, org, repo, tag, platform);
  const input = await getImageSbomInput(viewer, org, repo, tag, digest);
  return new Response(renderSbom(format, input), {
    headers: { "Content-Type": sbomFormats[format].contentType, "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff" },
  });
});
