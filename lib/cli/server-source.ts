import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fetchPolicyConfiguration, queryAdvisories } from "@/lib/api/client";
import { importKevDocument } from "@/lib/advisories/import-kev";
import { importOsv } from "@/lib/advisories/import-osv";
import type { PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { PolicyConfig } from "@/scoring";

/** A Shipshape server that `score --server` takes its policy configuration and advisories from. */
export interface ServerSource {
  url: string;
  token: string;
  /** The organization whose policy configuration grades the image. */
  organization: string;
}

/**
 * Reads the --server, --org and token settings. The token comes from --token or,
 * better, SHIPSHAPE_TOKEN, which stays out of the process list. Raises AppError
 * naming what is missing.
 */
export function readServerSource(options: { server?: string; org?: string; token?: string; config?: string; advisories?: string }, environment: Readonly<Record<string, string | undefined>>): ServerSource | null {
  if (options.server === undefined) {
    if (options.org !== undefined) throw new AppError("INVALID_INPUT", `--org ${options.org} is set without --server. Add --server URL, or drop --org.`);
    return null;
  }
  if (options.config !== undefined || options.advisories !== undefined) {
    const other = options.config !== undefined ? `--config ${options.config}` : `--advisories ${options.advisories}`;
    throw new AppError("INVALID_INPUT", `--server and ${other} are both set. The server gives the policy configuration and the advisories; use one or the other.`);
  }
  if (options.org === undefined || options.org.trim() === "") {
    throw new AppError("INVALID_INPUT", `--server ${options.server} needs --org ORG: the organization whose policy configuration grades the image.`);
  }
  const token = (options.token ?? environment.SHIPSHAPE_TOKEN ?? "").trim();
  if (token === "") {
    throw new AppError("INVALID_INPUT", `--server ${options.server} needs an API token. Create one under Access tokens on the dashboard and set SHIPSHAPE_TOKEN (or pass --token).`);
  }
  return { url: options.server, token, organization: options.org.trim() };
}

/** Fetches the organization's current policy configuration from the server. */
export async function serverPolicyConfig(source: ServerSource): Promise<PolicyConfig> {
  const { version, configuration } = await fetchPolicyConfiguration(source.url, source.token, source.organization);
  return { ...configuration, version };
}

/**
 * Imports into the local store the server's advisories for the packages of the
 * analysed images, through the same importers as `advisories import`, so the
 * store's matching gives the dashboard's findings. The records go through a
 * temporary folder, the KEV ids through a catalog document of those ids.
 */
export async function importServerAdvisories(prisma: PrismaClient, source: ServerSource, digests: readonly string[]): Promise<void> {
  const packages = await prisma.imagePackage.findMany({ where: { imageDigest: { in: [...digests] }, ecosystem: { not: null } }, select: { ecosystem: true, matchNames: true } });
  const queries = packages.flatMap((row) => row.matchNames.map((name) => ({ ecosystem: row.ecosystem!, name })));
  const advisories = await queryAdvisories(source.url, source.token, queries);
  if (advisories.snapshotId === null) return; // The server has imported no advisories, so neither has the store.

  const folder = await mkdtemp(path.join(tmpdir(), "shipshape-server-advisories-"));
  try {
    for (const [id, document] of advisories.documents) {
      await writeFile(path.join(folder, `${encodeURIComponent(id)}.json`), JSON.stringify(document));
    }
    await importOsv(prisma, folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  if (advisories.knownExploited.size > 0) {
    const today = new Date().toISOString().slice(0, 10);
    const vulnerabilities = [...advisories.knownExploited].map((cveID) => ({
      cveID,
      vendorProject: "",
      product: "",
      vulnerabilityName: "",
      dateAdded: today,
      shortDescription: "",
      requiredAction: "",
      dueDate: today,
    }));
    const catalog = { title: "Known exploited vulnerabilities from the Shipshape server", catalogVersion: advisories.snapshotId, dateReleased: new Date().toISOString(), count: vulnerabilities.length, vulnerabilities };
    await importKevDocument(prisma, catalog, `${source.url} (known exploited vulnerabilities)`);
  }
}
