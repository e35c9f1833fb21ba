import picomatch from "picomatch/posix";
import { z } from "zod";
import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma, type PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requestRegradeForException } from "@/lib/grading/regrade-exceptions";
import { logger } from "@/lib/log";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";
import { controlCharacterProblem } from "@/lib/data/settings/form-text";

/** An exception whose expiry is at most this many days away is listed as expiring. */
export const EXPIRY_WARNING_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export const REASON_MAX_LENGTH = 1000;
const VULNERABILITY_ID_MAX_LENGTH = 128;
const REPOSITORY_MAX_LENGTH = 255;
const TAG_PATTERN_MAX_LENGTH = 255;
const PACKAGE_PATTERN_MAX_LENGTH = 512;

export type ExceptionState = "active" | "expiring" | "expired" | "revoked";

/** The fields of the form that adds an exception, as the browser posts them. */
export const exceptionFields = ["vulnerabilityId", "repository", "tagPattern", "packagePattern", "reason", "expiresOn"] as const;
export type ExceptionField = (typeof exceptionFields)[number];
export type ExceptionFormValues = Record<ExceptionField, string>;
export type ExceptionFieldErrors = Partial<Record<ExceptionField, string>>;

/**
 * Returns an exception's state at `now`. Revoked wins over expired. An exception
 * applies up to but not at its expiresAt, as the grading library reads it.
 */
export function exceptionState(exception: { expiresAt: Date | null; revokedAt: Date | null }, now: Date): ExceptionState {
  if (exception.revokedAt !== null) return "revoked";
  if (exception.expiresAt === null) return "active";
  const remaining = exception.expiresAt.getTime() - now.getTime();
  if (remaining <= 0) return "expired";
  return remaining <= EXPIRY_WARNING_DAYS * DAY_MS ? "expiring" : "active";
}

/** Quotes a submitted value for a message, cut short so a pasted paragraph does not swamp it. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 79)}…` : value);
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/i;
const GHSA_ID = /^GHSA(?:-[a-z0-9]{4}){3}$/i;
// OSV ids are a prefix, a dash and the rest, in dash-separated parts:
// PYSEC-2021-19, RUSTSEC-2021-0001, DEBIAN-CVE-2024-3094, RHSA-2023:1234, openSUSE-SU-2024:0001-1.
const OSV_ID = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9._:]+)+$/;

/**
 * Checks a vulnerability id and writes it in its usual form: CVE ids in upper
 * case, GHSA ids as GHSA- with a lower-case rest (as GitHub and OSV write them),
 * other OSV ids as entered. Grading compares ids without regard to case.
 */
function normalizeVulnerabilityId(value: string): { id: string } | { error: string } {
  const examples = "such as CVE-2024-3094, or another OSV id such as GHSA-jfh8-c2jp-5v3q or PYSEC-2021-19";
  if (value === "") return { error: `Vulnerability id is required. Enter a CVE id ${examples}.` };
  if (value.length > VULNERABILITY_ID_MAX_LENGTH) {
    return { error: `Vulnerability id ${quote(value)} is ${value.length} characters long, but the limit is ${VULNERABILITY_ID_MAX_LENGTH}. Enter one id ${examples}.` };
  }
  if (/^cve/i.test(value)) {
    if (CVE_ID.test(value)) return { id: value.toUpperCase() };
    return { error: `Vulnerability id ${quote(value)} is not a valid CVE id. Write CVE-, the four-digit year, a dash and at least four digits, such as CVE-2024-3094.` };
  }
  if (/^ghsa/i.test(value)) {
    if (GHSA_ID.test(value)) return { id: `GHSA-${value.slice("GHSA-".length).toLowerCase()}` };
    return { error: `Vulnerability id ${quote(value)} is not a valid GitHub advisory id. Write GHSA- and three dash-separated groups of four letters or digits, such as GHSA-jfh8-c2jp-5v3q.` };
  }
  if (OSV_ID.test(value)) return { id: value };
  return { error: `Vulnerability id ${quote(value)} is not a valid vulnerability id. Enter a CVE id ${examples}, without spaces.` };
}

/**
 * Checks a glob the way grading compiles it (picomatch with dot files matched),
 * but with strictBrackets, so an unclosed bracket, brace or parenthesis is
 * reported here instead of silently matching the literal character.
 */
function checkGlob(label: string, value: string, example: string): string | null {
  let source: string;
  try {
    source = picomatch.makeRe(value, { dot: true, strictBrackets: true }).source;
  } catch (error) {
    // picomatch writes, for example: Missing closing: "]" - use "\\]" to match literal characters
    const reason = error instanceof Error ? (error.message.split(" - ")[0] ?? error.message).toLowerCase() : "it cannot be read";
    return `${label} ${quote(value)} is not a valid glob (${reason}). Close the bracket, brace or parenthesis, or put a backslash before it to match it literally, as in ${example}.`;
  }
  // picomatch returns the never-matching /$^/ when the pattern gives an invalid regular expression.
  if (source === "$^") {
    return `${label} ${quote(value)} is not a valid glob, so it would match nothing (a reversed range such as [z-a] or a trailing backslash does this). Fix the pattern, as in ${example}.`;
  }
  return null;
}

function checkTagPattern(value: string): string | null {
  const example = "release-* or 1.*";
  if (value.length > TAG_PATTERN_MAX_LENGTH) return `Tag pattern ${quote(value)} is ${value.length} characters long, but the limit is ${TAG_PATTERN_MAX_LENGTH}. Shorten it, as in ${example}.`;
  if (/\s/.test(value)) return `Tag pattern ${quote(value)} contains a space, which no tag name contains. Remove it, as in ${example}.`;
  if (value.includes("/")) {
    return `Tag pattern ${quote(value)} contains "/", which no tag name contains. Match tag names only, as in ${example}, and choose the repository under Repository.`;
  }
  return checkGlob("Tag pattern", value, example);
}

function checkPackagePattern(value: string): string | null {
  const example = "pkg:deb/debian/openssl* or libssl*";
  if (value.length > PACKAGE_PATTERN_MAX_LENGTH) {
    return `Package pattern ${quote(value)} is ${value.length} characters long, but the limit is ${PACKAGE_PATTERN_MAX_LENGTH}. Shorten it, as in ${example}.`;
  }
  if (/\s/.test(value)) return `Package pattern ${quote(value)} contains a space, which no package URL or name contains. Remove it, as in ${example}.`;
  return checkGlob("Package pattern", value, example);
}

/** Reads a YYYY-MM-DD date as the last millisecond of that day in UTC, or returns null when it is no calendar date. */
function endOfDayUtc(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day, 23, 59, 59, 999));
  // Date.UTC rolls 2026-02-30 over into March, so a changed month or day means there is no such date.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date;
}

/** A checked form value, or the message that explains what is wrong with it. */
type Checked<T> = { value: T } | { error: string };

/** Builds a form field: text, trimmed, then checked by `check`. */
function field<T>(label: string, check: (value: string) => Checked<T>) {
  return z
    .string({ error: `${label} must be text.` })
    .trim()
    .transform((value, context) => {
      const control = controlCharacterProblem(label, value);
      const result = control === null ? check(value) : { error: control };
      if ("error" in result) {
        context.addIssue({ code: "custom", message: result.error, input: value });
        return z.NEVER;
      }
      return result.value;
    });
}

/** Turns "" into null and runs `check` on anything else, for the optional fields. */
function optional(check: (value: string) => string | null) {
  return (value: string): Checked<string | null> => {
    if (value === "") return { value: null };
    const error = check(value);
    return error === null ? { value } : { error };
  };
}

/**
 * Builds the schema of the add-exception form. `now` decides whether an expiry
 * date is in the past. Every message names the field, quotes the value and gives
 * the fix. The repository is only checked for length here, because
 * whether it exists needs the database.
 */
export function exceptionInputSchema(now: Date) {
  return z.object({
    vulnerabilityId: field("Vulnerability id", (value): Checked<string> => {
      const result = normalizeVulnerabilityId(value);
      return "id" in result ? { value: result.id } : result;
    }),
    repository: field(
      "Repository",
      optional((value) =>
        value.length > REPOSITORY_MAX_LENGTH ? `Repository ${quote(value)} is ${value.length} characters long, but the limit is ${REPOSITORY_MAX_LENGTH}. Choose one from the list.` : null,
      ),
    ),
    tagPattern: field("Tag pattern", optional(checkTagPattern)),
    packagePattern: field("Package pattern", optional(checkPackagePattern)),
    reason: field("Reason", (value): Checked<string> => {
      if (value === "") return { error: 'Reason is required. Say why the vulnerability does not apply, such as "the vulnerable function is never called".' };
      if (value.length > REASON_MAX_LENGTH) {
        return { error: `Reason is ${value.length.toLocaleString("en-US")} characters long, but the limit is ${REASON_MAX_LENGTH.toLocaleString("en-US")}. Shorten it.` };
      }
      return { value };
    }),
    expiresAt: field("Expiry date", (value): Checked<Date | null> => {
      if (value === "") return { value: null };
      const expiresAt = endOfDayUtc(value);
      if (expiresAt === null) return { error: `Expiry date ${quote(value)} is not a valid date. Use the form YYYY-MM-DD, such as 2027-06-30, or leave it empty for no expiry.` };
      if (expiresAt.getTime() <= now.getTime()) {
        return { error: `Expiry date ${quote(value)} is in the past. Choose today (UTC) or a later date, or leave it empty for no expiry.` };
      }
      return { value: expiresAt };
    }),
  });
}

export type ExceptionInput = z.output<ReturnType<typeof exceptionInputSchema>>;

// The form posts the expiry date as expiresOn, and the schema returns it as expiresAt.
const fieldOfKey: Record<string, ExceptionField> = {
  vulnerabilityId: "vulnerabilityId",
  repository: "repository",
  tagPattern: "tagPattern",
  packagePattern: "packagePattern",
  reason: "reason",
  expiresAt: "expiresOn",
};

/**
 * Validates the form's values. On failure, returns the first message for each
 * field. A field the browser left out counts as empty.
 */
export function parseExceptionInput(values: Partial<Record<ExceptionField, unknown>>, now: Date): { success: true; data: ExceptionInput } | { success: false; fieldErrors: ExceptionFieldErrors } {
  const { expiresOn, ...rest } = Object.fromEntries(exceptionFields.map((name) => [name, values[name] ?? ""])) as Record<ExceptionField, unknown>;
  const parsed = exceptionInputSchema(now).safeParse({ ...rest, expiresAt: expiresOn });
  if (parsed.success) return { success: true, data: parsed.data };
  const fieldErrors: ExceptionFieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = fieldOfKey[String(issue.path[0])];
    if (field !== undefined && fieldErrors[field] === undefined) fieldErrors[field] = issue.message;
  }
  return { success: false, fieldErrors };
}

/** Builds the INVALID_INPUT error for the form, with `details.fieldErrors` mapping each invalid field to its message. */
function invalidInput(fieldErrors: ExceptionFieldErrors): AppError {
  return new AppError("INVALID_INPUT", Object.values(fieldErrors).join(" "), { details: { fieldErrors } });
}

/**
 * Re-grades the organization's images that have the vulnerability. The exception
 * change is already saved, so a failure is logged and returned as null instead of
 * undoing it.
 */
async function regradeAfterChange(prisma: PrismaClient, organizationId: string, vulnerabilityId: string): Promise<number | null> {
  try {
    return await requestRegradeForException(prisma, organizationId, vulnerabilityId);
  } catch (error) {
    logger.error({ err: error, org: organizationId, vulnerabilityId }, "re-grading after an exception change failed");
    return null;
  }
}

/**
 * Lists the organization's exceptions, newest first, for its owners only. By
 * default only those in force at `now` (active or expiring). `show: "all"` adds
 * the expired and revoked ones. `hiddenCount` is how many the filter left out.
 */
export async function listExceptions(viewer: Viewer, organizationName: string, options: { show: "active" | "all"; now?: Date }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const now = options.now ?? new Date();
  const prisma = getPrisma();
  const inForce = { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  const [exceptions, total, repositories] = await Promise.all([
    prisma.vulnerabilityException.findMany({
      where: { organizationId: organization.id, ...(options.show === "active" ? inForce : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true, vulnerabilityId: true, repository: true, tagPattern: true, packagePattern: true, reason: true, author: true, createdAt: true, expiresAt: true, revokedAt: true },
    }),
    prisma.vulnerabilityException.count({ where: { organizationId: organization.id } }),
    prisma.repository.findMany({ where: { organizationId: organization.id, deletedAt: null }, orderBy: { name: "asc" }, select: { name: true } }),
  ]);
  return {
    organization: { name: organization.name },
    repositories: repositories.map((repository) => repository.name),
    exceptions: exceptions.map((exception) => ({ ...exception, state: exceptionState(exception, now) })),
    hiddenCount: total - exceptions.length,
    now,
  };
}

export type ListedException = Awaited<ReturnType<typeof listExceptions>>["exceptions"][number];

/**
 * Adds an exception from the form's values, records it in the audit log, then
 * re-grades the images it can change. Invalid values throw INVALID_INPUT with
 * a message per field. An exception in force with the same id and scope
 * throws CONFLICT, so an owner revokes it before changing its reason or expiry.
 */
export async function addException(viewer: Viewer, organizationName: string, values: Partial<Record<ExceptionField, unknown>>, options: { now?: Date } = {}) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const now = options.now ?? new Date();
  const prisma = getPrisma();

  const parsed = parseExceptionInput(values, now);
  if (!parsed.success) throw invalidInput(parsed.fieldErrors);
  const input = parsed.data;
  if (input.repository !== null) {
    const repository = await prisma.repository.findFirst({ where: { organizationId: organization.id, name: input.repository, deletedAt: null }, select: { id: true } });
    if (!repository) {
      throw invalidInput({ repository: `Repository ${quote(input.repository)} is not a repository of ${organization.name}. Choose one from the list, or choose All repositories.` });
    }
  }

  const exception = await prisma.$transaction(async (tx) => {
    const scope = { repository: input.repository, tagPattern: input.tagPattern, packagePattern: input.packagePattern };
    const duplicate = await tx.vulnerabilityException.findFirst({
      where: {
        organizationId: organization.id,
        vulnerabilityId: { equals: input.vulnerabilityId, mode: "insensitive" },
        ...scope,
        revokedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
    });
    if (duplicate) {
      throw new AppError(
        "CONFLICT",
        `An exception for ${duplicate.vulnerabilityId} with the same scope is already in force, added by ${duplicate.author} on ${duplicate.createdAt.toISOString().slice(0, 10)}. Revoke it first to change its reason or expiry.`,
      );
    }
    const created = await tx.vulnerabilityException.create({
      data: { organizationId: organization.id, ...scope, vulnerabilityId: input.vulnerabilityId, reason: input.reason, author: viewer.email, expiresAt: input.expiresAt, createdAt: now },
    });
    await recordAuditEvent(tx, {
      organizationId: organization.id,
      actorId: viewer.id,
      action: "exception.added",
      target: created.vulnerabilityId,
      details: { exceptionId: created.id, ...scope, reason: created.reason, expiresAt: created.expiresAt?.toISOString() ?? null },
    });
    return created;
  });

  const regradedImages = await regradeAfterChange(prisma, organization.id, exception.vulnerabilityId);
  return { exception, regradedImages };
}

/**
 * Revokes an exception of the organization: it sets revokedAt and keeps the row.
 * The id is looked up together with the organization's id, so another
 * organization's exception is not found. Then re-grades the images it can change.
 */
export async function revokeException(viewer: Viewer, organizationName: string, input: { exceptionId: string }, options: { now?: Date } = {}) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const now = options.now ?? new Date();
  const prisma = getPrisma();

  const exception = await prisma.$transaction(async (tx) => {
    const found = await tx.vulnerabilityException.findFirst({ where: { id: input.exceptionId, organizationId: organization.id } });
    if (!found) throw new AppError("NOT_FOUND", `That exception was not found in ${organization.name}. Reload the page to see the current list.`);
    // The revokedAt condition keeps the first of two concurrent revocations and turns the second into CONFLICT.
    const updated = await tx.vulnerabilityException.updateMany({ where: { id: found.id, organizationId: organization.id, revokedAt: null }, data: { revokedAt: now } });
    if (updated.count === 0) {
      throw new AppError("CONFLICT", `The exception for ${found.vulnerabilityId} is already revoked. Reload the page to see the current list.`);
    }
    await recordAuditEvent(tx, {
      organizationId: organization.id,
      actorId: viewer.id,
      action: "exception.revoked",
      target: found.vulnerabilityId,
      details: { exceptionId: found.id, repository: found.repository, tagPattern: found.tagPattern, packagePattern: found.packagePattern },
    });
    return found;
  });

  const regradedImages = await regradeAfterChange(prisma, organization.id, exception.vulnerabilityId);
  return { exception: { ...exception, revokedAt: now }, regradedImages };
}
