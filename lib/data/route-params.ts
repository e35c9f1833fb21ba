import { notFound } from "next/navigation";

// Repository path components and tags as the OCI distribution spec allows them.
// Anything else cannot exist, so it gets the 404 page before any query runs.
/** Organization names and repository path components as the OCI distribution spec allows them. */
export const pathComponent = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** Tags as the OCI distribution spec allows them. */
export const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    notFound();
  }
}

/** Decodes and checks the organization and repository segments of a page URL; invalid ones give the 404 page. */
export function repositoryParams(params: { org: string; repo: string }): { org: string; repo: string } {
  const org = decode(params.org);
  const repo = decode(params.repo);
  if (!pathComponent.test(org) || repo.length > 255 || !repo.split("/").every((component) => pathComponent.test(component))) notFound();
  return { org, repo };
}

/** Decodes and checks an organization name from a page URL. */
export function organizationParam(value: string): string {
  const org = decode(value);
  if (!pathComponent.test(org)) notFound();
  return org;
}

/** Decodes and checks a tag name from a page URL. */
export function tagParam(value: string): string {
  const tag = decode(value);
  if (!tagPattern.test(tag)) notFound();
  return tag;
}

/** Decodes a URL segment for a page title, falling back to the raw text when it is not valid percent-encoding. */
export function titleSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
