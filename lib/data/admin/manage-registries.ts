import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { MAX_SYNC_INTERVAL_MINUTES, type Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { hideUrlCredentials } from "@/lib/security/hide-credentials";
import { assertPublicTarget } from "@/lib/security/outbound-target";
import { jobNames } from "@/lib/jobs/queue";
import { logger } from "@/lib/log";
import { assertSiteAdmin } from "@/lib/data/admin/manage-organizations";
import { controlCharacterProblem } from "@/lib/data/settings/form-text";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";
import { DOCKER_HUB_REGISTRY_URL } from "@/lib/dockerhub/dockerhub-source";
import { sealSecret } from "@/lib/secrets/secret-box";
import { isConfiguredRegistry } from "@/lib/sync/configured-registry";
import { hashEventToken } from "@/lib/sync/push-events/receive-push-events";
import { openStoredRegistry } from "@/lib/sync/registry-sources";
import { testRegistryConnection, type ConnectionCheck } from "@/lib/sync/test-registry-connection";

export interface NewRegistry {
  kind: "DISTRIBUTION" | "DOCKERHUB" | "OCI_LAYOUT";
  /** Registry base URL; for Docker Hub, empty means https://registry-1.docker.io. A folder path for OCI_LAYOUT. */
  url: string;
  /** Docker Hub API base URL; empty means https://hub.docker.com. */
  hubApiUrl: string;
  username: string;
  password: string;
  insecure: boolean;
  organizations: string[];
  /** Minutes between scheduled syncs, 1 to 720; null for SYNC_INTERVAL_MINUTES. */
  syncIntervalMinutes: number | null;
}

/** Sync runs shown per registry on the settings page. */
const RECENT_SYNC_RUNS = 5;

/**
 * Lists the registries with their organizations and recent sync runs, for
 * site administrators. Stored passwords are never read here: the page only
 * learns whether one is stored.
 */
export async function listRegistries(viewer: Viewer, env: Pick<Env, "REGISTRY_URL">) {
  assertSiteAdmin(viewer);
  const registries = await getPrisma().registry.findMany({
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      kind: true,
      url: true,
      hubApiUrl: true,
      username: true,
      insecure: true,
      syncIntervalMinutes: true,
      sealedPassword: true,
      eventTokenSha256: true,
      organizations: {
        orderBy: { name: "asc" },
        select: { name: true, syncRuns: { orderBy: { startedAt: "desc" }, take: RECENT_SYNC_RUNS } },
      },
    },
  });
  const waiting = await countWaitingSyncs(registries.flatMap((registry) => registry.organizations.map((organization) => organization.name)));
  return registries.map(({ sealedPassword, eventTokenSha256, organizations, ...registry }) => ({
    ...registry,
    hasPassword: sealedPassword !== null,
    fromEnvironment: isConfiguredRegistry(env, registry),
    acceptsPushEvents: eventTokenSha256 !== null,
    eventPath: `/api/registries/${registry.id}/events`,
    organizations: organizations.map((organization) => organization.name),
    waitingSyncs: organizations.reduce((total, organization) => total + (waiting.get(organization.name) ?? 0), 0),
    syncRuns: organizations
      .flatMap((organization) => organization.syncRuns.map((run) => ({ ...run, organization: organization.name })))
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
      .slice(0, RECENT_SYNC_RUNS),
  }));
}

/**
 * Counts organization syncs queued or running in pg-boss per organization, so
 * the page keeps refreshing until a sync queued with "Sync now" has run.
 */
export async function countWaitingSyncs(organizations: string[]): Promise<Map<string, number>> {
  if (organizations.length === 0) return new Map();
  try {
    const rows = await getPrisma().$queryRaw<{ organization: string; count: bigint }[]>`
      SELECT data->>'organization' AS organization, count(*) AS count FROM pgboss.job
      WHERE name = ${jobNames.syncOrganization} AND state IN ('created', 'retry', 'active') AND data->>'organization' = ANY(${organizations})
        AND start_after <= now()
      GROUP BY 1`;
    return new Map(rows.map((row) => [row.organization, Number(row.count)]));
  } catch (error) {
    // The pgboss schema exists once a worker or the web server has started the queue.
    logger.debug({ err: error }, "counting queued syncs failed");
    return new Map();
  }
}

/**
 * Stores a registry with its password sealed by SECRETS_KEY, links the
 * organizations it syncs, and returns the push event token, which is shown
 * once and stored only as its SHA-256. Raises CONFLICT for an organization
 * another registry syncs, and CONFIGURATION for a password without SECRETS_KEY.
 */
export async function addRegistry(viewer: Viewer, input: NewRegistry, env: Env): Promise<{ id: string; eventToken: string; eventPath: string }> {
  assertSiteAdmin(viewer);
  const url = normalizeLocation(input);
  const hubApiUrl = input.kind === "DOCKERHUB" && input.hubApiUrl ? checkHttpUrl(input.hubApiUrl, "Docker Hub API URL", input.insecure) : null;
  checkRegistryFields(input);
  if (Boolean(input.username) !== Boolean(input.password) && input.kind !== "OCI_LAYOUT") {
    throw new AppError("INVALID_INPUT", "Enter the username and the password (or access token) together, or neither for anonymous access.");
  }
  const interval = input.syncIntervalMinutes;
  if (interval !== null && (!Number.isInteger(interval) || interval < 1 || interval > MAX_SYNC_INTERVAL_MINUTES)) {
    throw new AppError("INVALID_INPUT", `Sync interval ${interval} is out of range. Enter whole minutes from 1 to ${MAX_SYNC_INTERVAL_MINUTES}, or leave it empty for SYNC_INTERVAL_MINUTES.`);
  }
  // Address literals and localhost names are judged here; a host name is not resolved, so a registry can be added while its DNS is down.
  // Every request to the stored registry is checked again with DNS (openStoredRegistry's guarded fetch).
  for (const [target, purpose] of [[input.kind === "OCI_LAYOUT" ? null : url, "registry URL"], [hubApiUrl, "Docker Hub API URL"]] as const) {
    if (target !== null) await assertPublicTarget(new URL(target), env.PRIVATE_TARGETS_ALLOWED, purpose, { resolve: false });
  }
  const sealedPassword = input.password ? sealSecret(input.password, env.SECRETS_KEY) : null;
  const eventToken = randomBytes(24).toString("hex");

  const prisma = getPrisma();
  const registry = await prisma.$transaction(async (tx) => {
    const alreadySynced = await tx.organization.findMany({ where: { name: { in: input.organizations }, registryId: { not: null } }, select: { name: true } });
    if (alreadySynced.length > 0) {
      throw new AppError("CONFLICT", `${alreadySynced.map((organization) => organization.name).join(", ")} already synced by another registry. Remove them from that registry first, or choose other organizations.`);
    }
    const duplicate = await tx.registry.findUnique({ where: { kind_url: { kind: input.kind, url } }, select: { id: true } });
    if (duplicate) throw new AppError("CONFLICT", `A ${kindNames[input.kind]} at ${url} already exists. Add the organizations to it instead.`);

    const created = await tx.registry.create({
      data: {
        kind: input.kind,
        url,
        hubApiUrl,
        username: input.username || null,
        sealedPassword,
        insecure: input.insecure,
        syncIntervalMinutes: interval,
        eventTokenSha256: hashEventToken(eventToken),
      },
    });
    for (const name of input.organizations) {
      const organization = await tx.organization.upsert({ where: { name }, update: { registryId: created.id }, create: { name, registryId: created.id } });
      await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "registry.added", target: `${input.kind.toLowerCase()} ${url}` });
    }
    return created;
  });
  return { id: registry.id, eventToken, eventPath: `/api/registries/${registry.id}/events` };
}

/**
 * Replaces a registry's push event token and returns the new one, which is
 * shown once. Deliveries with the old token get 401 from then on.
 */
export async function rotateEventToken(viewer: Viewer, registryId: string): Promise<{ eventToken: string; eventPath: string }> {
  assertSiteAdmin(viewer);
  const eventToken = randomBytes(24).toString("hex");
  await getPrisma().$transaction(async (tx) => {
    const registry = await tx.registry.findUnique({ where: { id: registryId }, select: { url: true, kind: true, organizations: { select: { id: true } } } });
    if (!registry) throw new AppError("NOT_FOUND", "Registry not found. Reload the page; it may have been removed.");
    await tx.registry.update({ where: { id: registryId }, data: { eventTokenSha256: hashEventToken(eventToken) } });
    for (const organization of registry.organizations) {
      await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "registry.event_token_rotated", target: `${registry.kind.toLowerCase()} ${registry.url}` });
    }
  });
  return { eventToken, eventPath: `/api/registries/${registryId}/events` };
}

/**
 * Removes a registry added on the page. Its organizations stay, with their
 * repositories, grades and history, but are no longer synced until another
 * registry takes them. The REGISTRY_URL registry cannot be removed here, because
 * the next start would add it again.
 */
export async function removeRegistry(viewer: Viewer, registryId: string, env: Pick<Env, "REGISTRY_URL">): Promise<{ url: string; organizations: string[] }> {
  assertSiteAdmin(viewer);
  return getPrisma().$transaction(async (tx) => {
    const registry = await tx.registry.findUnique({ where: { id: registryId }, select: { kind: true, url: true, organizations: { select: { id: true, name: true }, orderBy: { name: "asc" } } } });
    if (!registry) throw new AppError("NOT_FOUND", "Registry not found. Reload the page; it may have been removed.");
    if (isConfiguredRegistry(env, registry)) {
      throw new AppError("INVALID_INPUT", `${registry.url} is the registry from REGISTRY_URL. Remove REGISTRY_URL and REGISTRY_ORG from the server's environment instead.`);
    }
    await tx.organization.updateMany({ where: { registryId }, data: { registryId: null } });
    for (const organization of registry.organizations) {
      await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "registry.removed", target: `${registry.kind.toLowerCase()} ${registry.url}` });
    }
    await tx.registry.delete({ where: { id: registryId } });
    return { url: registry.url, organizations: registry.organizations.map((organization) => organization.name) };
  });
}

/** Tests a stored registry's connection for a site administrator: reachable, credentials accepted, repositories readable. */
export async function checkRegistryConnection(viewer: Viewer, registryId: string, env: Env): Promise<ConnectionCheck[]> {
  assertSiteAdmin(viewer);
  return testStoredRegistry(registryId, null, env);
}

/**
 * Tests a stored registry's connection, listing repositories of `organizations`
 * (null for all it syncs). Callers check access first.
 */
export async function testStoredRegistry(registryId: string, organizations: string[] | null, env: Env): Promise<ConnectionCheck[]> {
  const registry = await getPrisma().registry.findUnique({ where: { id: registryId }, include: { organizations: { select: { name: true }, orderBy: { name: "asc" } } } });
  if (!registry) throw new AppError("NOT_FOUND", "Registry not found. Reload the page; it may have been removed.");
  if (registry.kind !== "OCI_LAYOUT" && registry.username && !registry.sealedPassword) {
    return [{ name: "credentials accepted", ok: false, message: "This registry's password comes from REGISTRY_PASSWORD, so this page cannot test it. Run `npx tsx bin/shipshape.ts sync`, which reports each failure." }];
  }
  const listed = organizations ?? registry.organizations.map((organization) => organization.name);
  // A Docker Hub source lists only these namespaces, so an owner's test never touches other organizations.
  const opened = openStoredRegistry({ ...registry, organizations: listed.map((name) => ({ name })) }, env);
  return testRegistryConnection(opened.source, listed, { hasCredentials: registry.sealedPassword !== null });
}

/** Returns the organizations a registry syncs, for queueing a sync of each now. */
export async function registryOrganizations(viewer: Viewer, registryId: string): Promise<string[]> {
  assertSiteAdmin(viewer);
  const organizations = await getPrisma().organization.findMany({ where: { registryId }, select: { name: true }, orderBy: { name: "asc" } });
  if (organizations.length === 0) throw new AppError("INVALID_INPUT", "This registry syncs no organizations yet, so there is nothing to sync.");
  return organizations.map((organization) => organization.name);
}

/** The name of each registry kind in messages. */
const kindNames: Record<NewRegistry["kind"], string> = { DISTRIBUTION: "registry", DOCKERHUB: "Docker Hub registry", OCI_LAYOUT: "OCI image layout" };

/** Maximum length of an organization name. Docker Hub namespaces and registry path components are far shorter in practice. */
const MAX_ORGANIZATION_LENGTH = 255;

/** Rejects organization names that are too long and credentials with control characters, which would break the request headers they go into. */
function checkRegistryFields(input: NewRegistry): void {
  const long = input.organizations.find((name) => name.length > MAX_ORGANIZATION_LENGTH);
  if (long !== undefined) {
    throw new AppError("INVALID_INPUT", `Organization "${long.slice(0, 40)}…" is ${long.length} characters long, but the limit is ${MAX_ORGANIZATION_LENGTH}. Enter the registry namespace, as in acme.`);
  }
  for (const [label, value] of [["The username", input.username], ["The password", input.password]] as const) {
    // Credentials go into one header line, so line breaks and tabs are refused too.
    const position = value ? value.search(/[\u0000-\u001f\u007f]/) : -1;
    if (position !== -1) {
      const code = value.charCodeAt(position).toString(16).toUpperCase().padStart(4, "0");
      throw new AppError("INVALID_INPUT", `${label} contains the control character U+${code} at position ${position + 1}, which no registry credential has. Paste it again without line breaks.`);
    }
    const problem = value ? controlCharacterProblem(label, value) : null;
    if (problem !== null) throw new AppError("INVALID_INPUT", problem);
  }
}

function normalizeLocation(input: NewRegistry): string {
  if (input.kind === "OCI_LAYOUT") {
    if (!input.url) throw new AppError("INVALID_INPUT", "Enter the folder of the OCI image layout, e.g. /srv/mirror.");
    if (!path.isAbsolute(input.url)) throw new AppError("INVALID_INPUT", `The OCI layout folder "${input.url}" is relative. Enter an absolute folder, e.g. /srv/mirror.`);
    const folder = path.resolve(input.url);
    if (!existsSync(path.join(folder, "index.json"))) {
      throw new AppError("INVALID_INPUT", `${folder} is not an OCI image layout: it has no index.json. Enter the folder that \`skopeo copy … oci:DIR\` wrote.`);
    }
    return folder;
  }
  if (input.kind === "DOCKERHUB" && !input.url) return DOCKER_HUB_REGISTRY_URL;
  return checkHttpUrl(input.url, "Registry URL", input.insecure);
}

/** Returns the URL without a trailing slash; raises INVALID_INPUT naming the field for anything but http(s), and for http unless insecure. */
function checkHttpUrl(value: string, field: string, insecure: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError("INVALID_INPUT", `${field} "${hideUrlCredentials(value)}" is not a valid URL. Enter it as https://registry.example.com.`);
  }
  if (url.username || url.password) throw new AppError("INVALID_INPUT", `${field} must not contain credentials; enter them in the username and password fields.`);
  if (url.protocol === "http:" && !insecure) throw new AppError("INVALID_INPUT", `${field} "${value}" uses plain http. Use https, or tick "Allow plain http" for a registry on a trusted network.`);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new AppError("INVALID_INPUT", `${field} "${value}" must start with https://.`);
  return url.href.replace(/\/+$/, "");
}
