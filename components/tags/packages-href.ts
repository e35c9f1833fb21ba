import { UNKNOWN_LICENSE_PARAM, type PackageQuery } from "@/lib/data/get-image-analysis";

/** Anchor of the packages section, so filtering and paging keep it in view. */
export const PACKAGES_ANCHOR = "packages";

/**
 * Builds the tag page URL that shows `query` for one platform image, with the
 * search parameters that parsePackageQuery reads. Without a platform, the page
 * selects the platform whose grade is the tag's.
 */
export function packagesHref(tagPath: string, platform: string | null, query: PackageQuery): string {
  const params = new URLSearchParams();
  if (platform !== null) params.set("platform", platform);
  if (query.type !== undefined) params.set("type", query.type);
  if (query.search !== undefined) params.set("q", query.search);
  if (query.license !== undefined) params.set("license", query.license ?? UNKNOWN_LICENSE_PARAM);
  if (query.layer !== undefined) params.set("layer", query.layer);
  if (query.sort !== undefined && query.sort !== "name") params.set("sort", query.sort);
  if (query.page !== undefined && query.page > 1) params.set("page", String(query.page));
  const search = params.toString();
  return `${tagPath}${search === "" ? "" : `?${search}`}#${PACKAGES_ANCHOR}`;
}
