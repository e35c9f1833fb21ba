import { notFound } from "next/navigation";
import { NextResponse, type NextRequest } from "next/server";

import type { SbomInput } from "@/lib/analysis/sbom-export";
import { isSbomFormatName, renderSbom, sbomFormatNames, sbomFormats } from "@/lib/analysis/sbom-formats";
import { requireViewer } from "@/lib/auth/get-viewer";
import { getImageSbomInput } from "@/lib/data/get-image-analysis";
import { repositoryParams, tagParam } from "@/lib/data/route-params";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string; repo: string; tag: string }>;

/**
 * Downloads the SBOM of one platform image of a tag as a JSON attachment:
 * `?format=spdx|cyclonedx&platform=DIGEST`. A bad format or a digest that is
 * not one of the tag's platform images gets 400, and an image that is not
 * analysed gets 409, each with a JSON error body. A viewer who may not read
 * the repository, or a missing tag, gets the 404 page.
 */
export async function GET(request: NextRequest, { params }: { params: Params }) {
  const viewer = await requireViewer();
  const segments = await params;
  const { org, repo } = repositoryParams(segments);
  const tag = tagParam(segments.tag);

  const format = request.nextUrl.searchParams.get("format");
  if (!isSbomFormatName(format)) {
    const accepted = sbomFormatNames.join(" or ");
    const problem = format === null || format === "" ? "The format parameter is missing." : `The format "${format}" is not supported.`;
    return errorResponse(new AppError("INVALID_INPUT", `${problem} Use format=${accepted}.`), { org, repo, tag });
  }
  const platform = request.nextUrl.searchParams.get("platform") ?? "";

  let input: SbomInput;
  try {
    input = await getImageSbomInput(viewer, org, repo, tag, platform);
  } catch (error) {
    // The same 404 page as every other route, which never echoes what was requested.
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    return errorResponse(error, { org, repo, tag, platform });
  }

  const { contentType, extension } = sbomFormats[format];
  const body = renderSbom(format, input);
  return new NextResponse(body, {
    headers: {
      "Content-Type": contentType,
      "Content-Disposition": `attachment; filename="${downloadFileName(org, repo, tag, input.image, extension)}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/**
 * Builds a file name such as `demo-web-1.0-linux-amd64-ad9e5027257c.spdx.json`.
 * Only letters, digits, ".", "_" and "-" remain, so the name needs no quoting
 * rules and cannot name a folder. The digest prefix keeps two images of one
 * platform apart.
 */
function downloadFileName(org: string, repo: string, tag: string, image: SbomInput["image"], extension: string): string {
  const hex = image.digest.split(":")[1] ?? image.digest;
  const stem = [org, repo, tag, image.platform, hex.slice(0, 12)].join("-");
  return `${stem.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "")}.${extension}`;
}

/**
 * Builds a JSON error response with the error's code and user message. A
 * rejected request is logged at info level, a server error in full.
 */
function errorResponse(error: unknown, ids: Record<string, string>): NextResponse {
  const status = error instanceof AppError ? error.status : 500;
  const code = error instanceof AppError ? error.code : "INTERNAL";
  if (status >= 500) logger.error({ err: error, ...ids }, "SBOM export failed");
  else logger.info({ code, message: publicMessage(error), ...ids }, "SBOM request rejected");
  return NextResponse.json({ error: { code, message: publicMessage(error) } }, { status });
}
