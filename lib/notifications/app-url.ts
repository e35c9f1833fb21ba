import { getEnv } from "@/lib/env";

/**
 * Returns the absolute URL of a dashboard path, from NEXTAUTH_URL (the
 * dashboard's public URL) or, when that is unset, the local server's default
 * address. Links in e-mail and webhook bodies must be absolute.
 */
export function appUrl(path: string): string {
  const env = getEnv();
  const base = env.NEXTAUTH_URL ?? `http://127.0.0.1:${env.PORT}`;
  // The path is made relative so a base URL with a path of its own (https://example.com/shipshape) keeps it.
  return new URL(path.replace(/^\/+/, ""), base.endsWith("/") ? base : `${base}/`).toString();
}

/** Returns the path of a tag's page. A repository name is `org/name`, so it already contains the org segment. */
export function tagPath(repositoryName: string, tagName: string): string {
  return `/repository/${repositoryName.split("/").map(encodeURIComponent).join("/")}/tags/${encodeURIComponent(tagName)}`;
}
