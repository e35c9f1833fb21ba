/** The sections of the tag view, in page order, with the anchors their headings carry. */
export const tagViewSections = [
  { anchor: "policies", label: "Policies" },
  { anchor: "vulnerabilities", label: "Vulnerabilities" },
  { anchor: "packages", label: "Packages" },
  { anchor: "base-image", label: "Base image" },
  { anchor: "attestations", label: "Attestations" },
  { anchor: "layers", label: "Layers" },
  { anchor: "history", label: "History" },
] as const;

export type TagViewAnchor = (typeof tagViewSections)[number]["anchor"];

/**
 * Builds the tag view URL that shows one platform image, optionally scrolled
 * to a section. Without a platform, the page selects the tag's worst one.
 */
export function tagViewHref(tagPath: string, platform: string | null, anchor?: string): string {
  const search = platform === null ? "" : `?${new URLSearchParams({ platform }).toString()}`;
  return `${tagPath}${search}${anchor === undefined ? "" : `#${anchor}`}`;
}

/** Returns the anchor of one fix in the policies section, so a policy can link to its fix. */
export function fixAnchor(policyId: string): string {
  return `fix-${policyId}`;
}
