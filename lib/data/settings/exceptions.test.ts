import { beforeEach, describe, expect, test, vi } from "vitest";
import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { addException, exceptionState, listExceptions, parseExceptionInput, revokeException, type ExceptionField } from "@/lib/data/settings/exceptions";
import { getPrisma } from "@/lib/db";
import { requestRegradeForException } from "@/lib/grading/regrade-exceptions";

// The real re-grade runs; the wrapper only records its calls and lets a test make it fail.
vi.mock("@/lib/grading/regrade-exceptions", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/grading/regrade-exceptions")>();
  return { ...original, requestRegradeForException: vi.fn(original.requestRegradeForException) };
});

const prisma = getPrisma();
const now = new Date("2026-03-10T12:00:00.000Z");
const day = 24 * 60 * 60 * 1000;

function viewerOf(user: { id: string; email: string }, isSiteAdmin = false): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin };
}

/** acme (owner, member, repositories api and web, a deleted old) and globex (its own owner and repository). */
async function seed() {
  const acme = await prisma.organization.create({ data: { name: "acme" } });
  const globex = await prisma.organization.create({ data: { name: "globex" } });
  await prisma.repository.createMany({
    data: [
      { organizationId: acme.id, name: "acme/api" },
      { organizationId: acme.id, name: "acme/web" },
      { organizationId: acme.id, name: "acme/old", deletedAt: now },
      { organizationId: globex.id, name: "globex/site" },
    ],
  });
  const owner = await upsertUser(prisma, { email: "owner@acme.test" });
  const member = await upsertUser(prisma, { email: "member@acme.test" });
  const rival = await upsertUser(prisma, { email: "owner@globex.test" });
  const admin = await upsertUser(prisma, { email: "admin@example.test", isSiteAdmin: true });
  await prisma.membership.createMany({
    data: [
      { organizationId: acme.id, userId: owner.id, role: "OWNER" },
      { organizationId: acme.id, userId: member.id, role: "MEMBER" },
      { organizationId: globex.id, userId: rival.id, role: "OWNER" },
    ],
  });
  return { acme, globex, owner: viewerOf(owner), member: viewerOf(member), rival: viewerOf(rival), admin: viewerOf(admin, true) };
}

const valid = { vulnerabilityId: "CVE-2024-3094", reason: "The xz backdoor needs sshd linked to liblzma, which these images lack." };

describe("adding exceptions", () => {
  beforeEach(async () => {
    await resetDatabase();
    vi.mocked(requestRegradeForException).mockClear();
  });

  test("add stores a normalised exception", async () => {
    const { acme, owner } = await seed();
    const { exception, regradedImages } = await addException(owner, "acme", { ...valid, vulnerabilityId: " cve-2024-3094 ", expiresOn: "2026-04-30" }, { now });

    const stored = await prisma.vulnerabilityException.findUniqueOrThrow({ where: { id: exception.id } });
    expect(stored).toMatchObject({
      organizationId: acme.id,
      vulnerabilityId: "CVE-2024-3094",
      repository: null,
      tagPattern: null,
      packagePattern: null,
      reason: valid.reason,
      author: "owner@acme.test",
      revokedAt: null,
    });
    expect(stored.expiresAt?.toISOString()).toBe("2026-04-30T23:59:59.999Z");
    expect(regradedImages).toBe(0);
  });

  test("add with every scope", async () => {
    const { owner } = await seed();
    const { exception } = await addException(owner, "acme", { ...valid, repository: "acme/api", tagPattern: "release-*", packagePattern: "pkg:deb/debian/xz-utils*" }, { now });
    expect(exception).toMatchObject({ repository: "acme/api", tagPattern: "release-*", packagePattern: "pkg:deb/debian/xz-utils*", expiresAt: null });
  });

  test("add writes an audit event", async () => {
    const { acme, owner } = await seed();
    const { exception } = await addException(owner, "acme", { ...valid, repository: "acme/web", tagPattern: "1.*", expiresOn: "2026-03-10" }, { now });

    const events = await prisma.auditEvent.findMany({ where: { organizationId: acme.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: owner.id, action: "exception.added", target: "CVE-2024-3094" });
    expect(events[0]?.details).toEqual({
      exceptionId: exception.id,
      repository: "acme/web",
      tagPattern: "1.*",
      packagePattern: null,
      reason: valid.reason,
      expiresAt: "2026-03-10T23:59:59.999Z",
    });
  });

  test("add requests a re-grade", async () => {
    const { acme, owner } = await seed();
    await addException(owner, "acme", { ...valid, vulnerabilityId: "cve-2021-44228" }, { now });
    // Arguments are compared one by one, because a deep comparison of the Prisma client recurses without end.
    const calls = vi.mocked(requestRegradeForException).mock.calls;
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe(prisma);
    expect(calls[0]?.slice(1)).toEqual([acme.id, "CVE-2021-44228"]);
  });

  test("failed re-grade keeps the exception", async () => {
    const { owner } = await seed();
    vi.mocked(requestRegradeForException).mockRejectedValueOnce(new Error("grading is down"));
    const { exception, regradedImages } = await addException(owner, "acme", valid, { now });
    expect(regradedImages).toBeNull();
    expect(await prisma.vulnerabilityException.count({ where: { id: exception.id } })).toBe(1);
  });

  test.each([
    ["GHSA-JFH8-C2JP-5V3Q", "GHSA-jfh8-c2jp-5v3q"],
    ["ghsa-jfh8-c2jp-5v3q", "GHSA-jfh8-c2jp-5v3q"],
    ["CVE-2021-44228", "CVE-2021-44228"],
    ["CVE-2023-1234567", "CVE-2023-1234567"],
    ["PYSEC-2021-19", "PYSEC-2021-19"],
    ["RUSTSEC-2021-0001", "RUSTSEC-2021-0001"],
    ["GO-2022-0969", "GO-2022-0969"],
    ["DEBIAN-CVE-2024-3094", "DEBIAN-CVE-2024-3094"],
    ["RHSA-2023:1234", "RHSA-2023:1234"],
    ["openSUSE-SU-2024:0001-1", "openSUSE-SU-2024:0001-1"],
  ])("vulnerability id %s is stored as %s", async (submitted, stored) => {
    const { owner } = await seed();
    const { exception } = await addException(owner, "acme", { ...valid, vulnerabilityId: submitted }, { now });
    expect(exception.vulnerabilityId).toBe(stored);
  });

  test("expiry today is accepted", () => {
    const parsed = parseExceptionInput({ ...valid, expiresOn: "2026-03-10" }, now);
    expect(parsed).toMatchObject({ success: true, data: { expiresAt: new Date("2026-03-10T23:59:59.999Z") } });
  });

  test("same exception in force is a conflict", async () => {
    const { owner } = await seed();
    const first = await addException(owner, "acme", { ...valid, repository: "acme/api" }, { now });
    await expect(addException(owner, "acme", { ...valid, vulnerabilityId: "cve-2024-3094", repository: "acme/api" }, { now })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("Revoke it first"),
    });

    // Another scope, or the same one after a revocation, is a new exception.
    await addException(owner, "acme", { ...valid, repository: "acme/web" }, { now });
    await revokeException(owner, "acme", { exceptionId: first.exception.id }, { now });
    await addException(owner, "acme", { ...valid, repository: "acme/api" }, { now });
    expect(await prisma.vulnerabilityException.count()).toBe(3);
  });
});

describe("bad exception input", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  // Each message names the field, quotes the value and gives the fix.
  test.each<[ExceptionField, string, string, string[]]>([
    ["vulnerabilityId", "empty", "", ["Vulnerability id is required", "CVE-2024-3094"]],
    ["vulnerabilityId", "short year", "CVE-24-1", ['Vulnerability id "CVE-24-1" is not a valid CVE id', "four-digit year"]],
    ["vulnerabilityId", "short number", "CVE-2024-12", ['Vulnerability id "CVE-2024-12" is not a valid CVE id', "at least four digits"]],
    ["vulnerabilityId", "spaces", "CVE 2024 3094", ['Vulnerability id "CVE 2024 3094" is not a valid CVE id']],
    ["vulnerabilityId", "short GHSA", "GHSA-1234", ['Vulnerability id "GHSA-1234" is not a valid GitHub advisory id', "GHSA-jfh8-c2jp-5v3q"]],
    ["vulnerabilityId", "no prefix", "log4shell", ['Vulnerability id "log4shell" is not a valid vulnerability id', "CVE-2024-3094"]],
    ["vulnerabilityId", "too long", `CVE-2024-${"1".repeat(130)}`, ["Vulnerability id", "139 characters long", "limit is 128"]],
    ["tagPattern", "unclosed bracket", "release-[", ['Tag pattern "release-[" is not a valid glob', 'missing closing: "]"', "backslash"]],
    ["tagPattern", "unclosed brace", "v{1,2", ['Tag pattern "v{1,2" is not a valid glob', 'missing closing: "}"']],
    ["tagPattern", "reversed range", "[z-a]", ['Tag pattern "[z-a]" is not a valid glob', "match nothing"]],
    ["tagPattern", "with slash", "acme/api:1.0", ['Tag pattern "acme/api:1.0" contains "/"', "Repository"]],
    ["tagPattern", "with space", "release 1", ['Tag pattern "release 1" contains a space']],
    ["packagePattern", "unclosed parenthesis", "pkg:deb/debian/(openssl", ['Package pattern "pkg:deb/debian/(openssl" is not a valid glob', 'missing closing: ")"']],
    ["packagePattern", "with space", "lib ssl", ['Package pattern "lib ssl" contains a space']],
    ["reason", "empty", "", ["Reason is required"]],
    ["reason", "blank", "   ", ["Reason is required"]],
    ["reason", "too long", "x".repeat(1001), ["Reason is 1,001 characters long", "limit is 1,000", "Shorten it"]],
    ["reason", "NUL character", "not\u0000reachable", ["Reason contains the control character U+0000 at position 4", "Remove it"]],
    ["packagePattern", "escape character", "lib\u001bssl", ["Package pattern contains the control character U+001B at position 4"]],
    ["expiresOn", "no such day", "2026-02-30", ['Expiry date "2026-02-30" is not a valid date', "YYYY-MM-DD"]],
    ["expiresOn", "free text", "next week", ['Expiry date "next week" is not a valid date']],
    ["expiresOn", "yesterday", "2026-03-09", ['Expiry date "2026-03-09" is in the past', "today (UTC) or a later date"]],
  ])("%s %s is rejected", (fieldName, _case, value, fragments) => {
    const parsed = parseExceptionInput({ ...valid, [fieldName]: value }, now);
    expect(parsed.success).toBe(false);
    const fieldErrors = parsed.success ? {} : parsed.fieldErrors;
    expect(Object.keys(fieldErrors)).toEqual([fieldName]);
    for (const fragment of fragments) expect(fieldErrors[fieldName]).toContain(fragment);
  });

  test("reason of 1,000 characters is accepted", () => {
    expect(parseExceptionInput({ ...valid, reason: "x".repeat(1000) }, now).success).toBe(true);
  });

  test("every bad field is reported at once", () => {
    const parsed = parseExceptionInput({ vulnerabilityId: "nope", tagPattern: "[", reason: "", expiresOn: "2020-01-01" }, now);
    expect(parsed.success ? [] : Object.keys(parsed.fieldErrors).sort()).toEqual(["expiresOn", "reason", "tagPattern", "vulnerabilityId"]);
  });

  test("missing fields count as empty", () => {
    const parsed = parseExceptionInput({}, now);
    expect(parsed.success ? [] : Object.keys(parsed.fieldErrors).sort()).toEqual(["reason", "vulnerabilityId"]);
  });

  test("non-text field is rejected", () => {
    const parsed = parseExceptionInput({ ...valid, tagPattern: 42 }, now);
    expect(parsed.success ? {} : parsed.fieldErrors).toEqual({ tagPattern: "Tag pattern must be text." });
  });

  test.each([
    ["acme/nope", "an unknown repository"],
    ["globex/site", "another organization's repository"],
    ["acme/old", "a deleted repository"],
  ])("repository %s is rejected as %s", async (repository) => {
    const { owner } = await seed();
    const attempt = addException(owner, "acme", { ...valid, repository }, { now });
    await expect(attempt).rejects.toMatchObject({
      code: "INVALID_INPUT",
      details: { fieldErrors: { repository: `Repository "${repository}" is not a repository of acme. Choose one from the list, or choose All repositories.` } },
    });
    expect(await prisma.vulnerabilityException.count()).toBe(0);
  });

  test("invalid input stores nothing", async () => {
    const { owner } = await seed();
    await expect(addException(owner, "acme", { ...valid, vulnerabilityId: "CVE-24-1" }, { now })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      details: { fieldErrors: { vulnerabilityId: expect.stringContaining('"CVE-24-1"') } },
    });
    expect(await prisma.vulnerabilityException.count()).toBe(0);
    expect(await prisma.auditEvent.count()).toBe(0);
  });
});

describe("revoking exceptions", () => {
  beforeEach(async () => {
    await resetDatabase();
    vi.mocked(requestRegradeForException).mockClear();
  });

  test("revoke keeps the row and sets revokedAt", async () => {
    const { acme, owner } = await seed();
    const { exception } = await addException(owner, "acme", valid, { now });
    const later = new Date(now.getTime() + day);

    const revoked = await revokeException(owner, "acme", { exceptionId: exception.id }, { now: later });

    expect(revoked.regradedImages).toBe(0);
    const stored = await prisma.vulnerabilityException.findUniqueOrThrow({ where: { id: exception.id } });
    expect(stored.revokedAt).toEqual(later);
    const events = await prisma.auditEvent.findMany({ where: { organizationId: acme.id, action: "exception.revoked" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: owner.id, target: "CVE-2024-3094", details: { exceptionId: exception.id, repository: null, tagPattern: null, packagePattern: null } });
    expect(vi.mocked(requestRegradeForException).mock.lastCall?.slice(1)).toEqual([acme.id, "CVE-2024-3094"]);
  });

  test("second revoke is a conflict", async () => {
    const { owner } = await seed();
    const { exception } = await addException(owner, "acme", valid, { now });
    await revokeException(owner, "acme", { exceptionId: exception.id }, { now });
    await expect(revokeException(owner, "acme", { exceptionId: exception.id }, { now })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await prisma.auditEvent.count({ where: { action: "exception.revoked" } })).toBe(1);
  });

  test("another organization's exception is refused", async () => {
    const { owner, rival } = await seed();
    const { exception } = await addException(rival, "globex", valid, { now });

    // Through the owner's own organization, and by naming the organization they do not own.
    await expect(revokeException(owner, "acme", { exceptionId: exception.id }, { now })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(revokeException(owner, "globex", { exceptionId: exception.id }, { now })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const stored = await prisma.vulnerabilityException.findUniqueOrThrow({ where: { id: exception.id } });
    expect(stored.revokedAt).toBeNull();
    expect(await prisma.auditEvent.count({ where: { action: "exception.revoked" } })).toBe(0);
  });

  test("unknown exception id is not found", async () => {
    const { owner } = await seed();
    await expect(revokeException(owner, "acme", { exceptionId: "no-such-exception" }, { now })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("exception access", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("member and outsiders get not found", async () => {
    const { owner, member, rival, admin } = await seed();
    const { exception } = await addException(owner, "acme", valid, { now });
    for (const viewer of [member, rival, admin]) {
      await expect(listExceptions(viewer, "acme", { show: "all", now })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(addException(viewer, "acme", valid, { now })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(revokeException(viewer, "acme", { exceptionId: exception.id }, { now })).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await prisma.vulnerabilityException.count()).toBe(1);
  });

  test("not-found check precedes validation", async () => {
    const { member } = await seed();
    await expect(addException(member, "acme", { vulnerabilityId: "bad" }, { now })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("exception state", () => {
  test.each([
    ["no expiry", "active", null, null],
    ["expiry in 8 days", "active", 8 * day, null],
    ["expiry in exactly 7 days", "expiring", 7 * day, null],
    ["expiry in 1 ms", "expiring", 1, null],
    ["expiry at now", "expired", 0, null],
    ["expiry a day ago", "expired", -day, null],
    ["revoked, no expiry", "revoked", null, -day],
    ["revoked and expired", "revoked", -day, -2 * day],
  ] as const)("%s is %s", (_case, state, expiresIn, revokedIn) => {
    const at = (offset: number | null) => (offset === null ? null : new Date(now.getTime() + offset));
    expect(exceptionState({ expiresAt: at(expiresIn), revokedAt: at(revokedIn) }, now)).toBe(state);
  });
});

describe("listing exceptions", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  /** Four exceptions created a minute apart: active, expiring, then expired and revoked at `now`. */
  async function seedStates() {
    const seeded = await seed();
    const earlier = new Date(now.getTime() - 30 * day);
    const add = (vulnerabilityId: string, expiresOn: string, minute: number) =>
      addException(seeded.owner, "acme", { ...valid, vulnerabilityId, expiresOn }, { now: new Date(earlier.getTime() + minute * 60_000) });
    await add("CVE-2024-0001", "", 0);
    await add("CVE-2024-0002", "2026-03-15", 1);
    await add("CVE-2024-0003", "2026-03-01", 2);
    const revoked = await add("CVE-2024-0004", "", 3);
    await revokeException(seeded.owner, "acme", { exceptionId: revoked.exception.id }, { now: new Date(earlier.getTime() + 4 * 60_000) });
    return seeded;
  }

  test("default shows exceptions in force", async () => {
    const { owner } = await seedStates();
    const listed = await listExceptions(owner, "acme", { show: "active", now });
    expect(listed.exceptions.map((exception) => [exception.vulnerabilityId, exception.state])).toEqual([
      ["CVE-2024-0002", "expiring"],
      ["CVE-2024-0001", "active"],
    ]);
    expect(listed.hiddenCount).toBe(2);
    expect(listed.repositories).toEqual(["acme/api", "acme/web"]);
  });

  test("show all adds expired and revoked", async () => {
    const { owner } = await seedStates();
    const listed = await listExceptions(owner, "acme", { show: "all", now });
    expect(listed.exceptions.map((exception) => [exception.vulnerabilityId, exception.state])).toEqual([
      ["CVE-2024-0004", "revoked"],
      ["CVE-2024-0003", "expired"],
      ["CVE-2024-0002", "expiring"],
      ["CVE-2024-0001", "active"],
    ]);
    expect(listed.hiddenCount).toBe(0);
    expect(listed.exceptions[0]).toMatchObject({ author: "owner@acme.test", reason: valid.reason });
  });

  test("other organization's exceptions are not listed", async () => {
    const { owner, rival } = await seed();
    await addException(rival, "globex", valid, { now });
    const listed = await listExceptions(owner, "acme", { show: "all", now });
    expect(listed.exceptions).toEqual([]);
    expect(listed.hiddenCount).toBe(0);
  });
});
