import { formatReference, parseReference } from "@/lib/registry/reference";

/**
 * Returns the tag form of a stored base reference (`docker.io/library/debian:12-slim`),
 * or null when the reference names no tag (a digest-only pin cannot move).
 */
export function baseTagKey(reference: string): string | null {
  try {
    const parsed = parseReference(reference);
    return parsed.tag === null ? null : formatReference({ ...parsed, digest: null });
  } catch {
    return null;
  }
}
