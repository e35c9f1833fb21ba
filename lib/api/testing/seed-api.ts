import { NextRequest } from "next/server";

import { importAdvisories } from "@/lib/advisories/import-advisories";
import { importKevDocument } from "@/lib/advisories/import-kev";
import { createApiToken, revokeApiToken } from "@/lib/api/api-tokens";
import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import type { PrismaClient } from "@/lib/db";
import { ALPINE_OPENSSL_RECORD, alpineLayer, pushAndSync, vulnerableAlpineRecords } from "@/lib/grading/testing/alpine-images";
import { pushTag } from "@/lib/grading/testing/policy-images";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";

/** The callers of the permission matrix, each with its own token (or none). */
export const callers = ["owner", "reader", "outsider", "rival", "none", "revoked", "expired"] as const;
export type Caller = (typeof callers)[number];

export interface ApiSeed {
  tokens: Record<Caller, string | null>;
  viewers: Record<"owner" | "reader" | "outsider" | "rival", Viewer>;
  /** The platform image digest of acme/api:latest. */
  apiImage: string;
}

function viewerOf(user: { id: string; email: string }): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin: false };
}

/**
 * Seeds through the real pipeline of sync, analysis and grading. acme/api:latest
 * is an Alpine image with libssl1.0 1.0.2o-r2, which CVE-2018-5407 affects, and
 * the KEV catalog lists that CVE. acme/private:latest and globex/site:latest
 * are clean images. Users: the acme owner, a reader whose team has Read-only on acme/api, an acme
 * member without access, and the globex owner. The revoked and expired tokens are the owner's.
 */
export async function seedApi(prisma: PrismaClient, registry: RegistryServer): Promise<ApiSeed> {
  await resetDatabase();
  await importAdvisories(prisma, ALPINE_OPENSSL_RECORD);
  await importKevDocument(prisma, kevCatalog(["CVE-2018-5407"]), "test KEV catalog");

  const built = await pushAndSync(prisma, registry, "acme/api", alpineLayer(vulnerableAlpineRecords));
  await pushTag(prisma, registry, "acme", "private", "latest", [{ architecture: "amd64" }]);
  await pushTag(prisma, registry, "globex", "site", "latest", [{ architecture: "amd64" }]);

  const acme = await prisma.organization.findUniqueOrThrow({ where: { name: "acme" } });
  const globex = await prisma.organization.findUniqueOrThrow({ where: { name: "globex" } });
  const api = await prisma.repository.findFirstOrThrow({ where: { name: "acme/api" } });

  const owner = viewerOf(await upsertUser(prisma, { email: "owner@acme.test", password: "owner-password-1" }));
  const reader = viewerOf(await upsertUser(prisma, { email: "reader@acme.test", password: "reader-password-1" }));
  const outsider = viewerOf(await upsertUser(prisma, { email: "outsider@acme.test", password: "outsider-password-1" }));
  const rival = viewerOf(await upsertUser(prisma, { email: "owner@globex.test", password: "rival-password-1" }));
  await prisma.membership.createMany({
    data: [
      { organizationId: acme.id, userId: owner.id, role: "OWNER" },
      { organizationId: acme.id, userId: reader.id, role: "MEMBER" },
      { organizationId: acme.id, userId: outsider.id, role: "MEMBER" },
      { organizationId: globex.id, userId: rival.id, role: "OWNER" },
    ],
  });
  const team = await prisma.team.create({ data: { organizationId: acme.id, name: "readers" } });
  await prisma.teamMember.create({ data: { teamId: team.id, userId: reader.id } });
  await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: api.id, permission: "READ" } });

  const tokenOf = async (viewer: Viewer, name: string) => (await createApiToken(viewer, { name, expiresInDays: null })).token;
  const revoked = await createApiToken(owner, { name: "revoked", expiresInDays: null });
  await revokeApiToken(owner, revoked.summary.id);
  const expired = await createApiToken(owner, { name: "expired", expiresInDays: 1 }, { now: new Date(Date.now() - 2 * 24 * 60 * 60 * 1000) });

  return {
    tokens: {
      owner: await tokenOf(owner, "owner"),
      reader: await tokenOf(reader, "reader"),
      outsider: await tokenOf(outsider, "outsider"),
      rival: await tokenOf(rival, "rival"),
      none: null,
      revoked: revoked.token,
      expired: expired.token,
    },
    viewers: { owner, reader, outsider, rival },
    apiImage: built.manifest.digest,
  };
}

/** Builds a KEV catalog document listing the CVEs, in the format of CISA's JSON feed. */
export function kevCatalog(cveIds: string[]) {
  return {
    title: "CISA Catalog of Known Exploited Vulnerabilities (test)",
    catalogVersion: "2026.12.01",
    dateReleased: "2026-12-01T00:00:00.000Z",
    count: cveIds.length,
    vulnerabilities: cveIds.map((cveID) => ({
      cveID,
      vendorProject: "OpenSSL",
      product: "OpenSSL",
      vulnerabilityName: "Test entry",
      dateAdded: "2026-12-01",
      shortDescription: "Test entry.",
      requiredAction: "Apply updates.",
      dueDate: "2026-12-22",
    })),
  };
}

type RouteHandler<P> = (request: NextRequest, segment: { params: Promise<P> }) => Promise<Response>;

/** Calls a route handler as Next.js does, with the path parameters still percent-encoded. */
export async function callRoute<P>(handler: RouteHandler<P>, url: string, params: P, token: string | null, init: { method?: string; body?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const request = new NextRequest(new URL(url, "http://127.0.0.1"), { method: init.method ?? "GET", headers, body: init.body });
  return handler(request, { params: Promise.resolve(params) });
}
