import { createHash } from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma, type PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { policyConfigFor } from "@/lib/grading/policy-configs";
import { previewPolicyChange, type GradeMove, type RepositoryGradeChange, type TagGradeChange } from "@/lib/grading/preview-policy-change";
import { regradeOrganization } from "@/lib/grading/regrade-organization";
import { logger } from "@/lib/log";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";
import { candidateConfig, changedOptions, describeOptionValue, policyFieldGroups, policyFormValuesOf, type PolicyFormProblems, type PolicyFormValues } from "@/lib/data/settings/policy-form";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";
import type { PolicyConfig } from "@/scoring";

/** The maximum number of changed tags a preview lists. The counts and repository lists always cover every tag. */
export const PREVIEW_TAG_LIMIT = 500;

/** The version of the built-in default configuration; saved versions start after it. */
const DEFAULT_VERSION = 1;

/** The organization's configuration in force, with who saved it and when; the built-in default has neither. */
export interface CurrentPolicyVersion {
  version: number;
  author: string | null;
  savedAt: Date | null;
  config: PolicyConfig;
}

/** A changed option as the page lists it, with both values written for people. */
export interface OptionChangeView {
  option: string;
  label: string;
  from: string;
  to: string;
}

export interface PolicyPreviewView {
  /** The version the preview compares with. A save checks that it is still the latest. */
  baseVersion: number;
  /** Identifies the previewed configuration, so a save can check that it saves what was previewed. */
  fingerprint: string;
  changes: OptionChangeView[];
  imageCount: number;
  tagCount: number;
  moves: GradeMove[];
  repositoriesTurningRed: RepositoryGradeChange[];
  repositoriesLeavingRed: RepositoryGradeChange[];
  /** The first PREVIEW_TAG_LIMIT changed tags, sorted by repository and tag. */
  changedTags: TagGradeChange[];
  changedTagCount: number;
}

/** The current configuration of an organization: its latest saved version, or the built-in default. */
async function loadCurrentVersion(prisma: PrismaClient, organizationId: string): Promise<CurrentPolicyVersion> {
  const latest = await prisma.policyConfiguration.findFirst({
    where: { organizationId },
    orderBy: { version: "desc" },
    select: { version: true, author: true, createdAt: true },
  });
  // policyConfigFor falls back to the default, with an error in the log, when a stored version no longer validates.
  const config = await policyConfigFor(prisma, organizationId);
  if (latest === null) return { version: DEFAULT_VERSION, author: null, savedAt: null, config };
  return { version: latest.version, author: latest.author, savedAt: latest.createdAt, config };
}

/** Builds the INVALID_INPUT error for the form. Its `details` place each message next to its input. */
function invalidInput(problems: PolicyFormProblems): AppError {
  const messages = [...Object.values(problems.fieldErrors).flat(), ...problems.formErrors];
  return new AppError("INVALID_INPUT", messages.join(" "), { details: { fieldErrors: problems.fieldErrors, formErrors: problems.formErrors } });
}

/** Builds the candidate from the form over the current configuration, or throws INVALID_INPUT. */
function parseCandidate(values: PolicyFormValues, current: CurrentPolicyVersion): PolicyConfig {
  const parsed = candidateConfig(values, current.config, current.version + 1);
  if (!parsed.success) throw invalidInput(parsed);
  return parsed.config;
}

/** Computes a SHA-256 over the policy settings with object keys sorted, so equal settings give equal fingerprints. */
export function policyFingerprint(config: PolicyConfig): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
    }
    return value;
  };
  return createHash("sha256").update(JSON.stringify(canonical(config.policies))).digest("hex");
}

function describeChanges(before: PolicyConfig, after: PolicyConfig): OptionChangeView[] {
  return changedOptions(before, after).map((change) => ({
    option: change.option,
    label: change.label,
    from: describeOptionValue(change.option, change.from),
    to: describeOptionValue(change.option, change.to),
  }));
}

/**
 * Loads what the policies settings page shows, for the organization's owners
 * only: the current version with its author and time, the form's inputs and
 * their values.
 */
export async function getPolicySettings(viewer: Viewer, organizationName: string) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const current = await loadCurrentVersion(getPrisma(), organization.id);
  return {
    organization: { name: organization.name },
    current: { version: current.version, author: current.author, savedAt: current.savedAt },
    groups: policyFieldGroups,
    values: policyFormValuesOf(current.config),
  };
}

/**
 * Validates the form's values and previews their effect: which tags and
 * repositories of the organization would change grade. Invalid values throw
 * INVALID_INPUT with a message per input. Nothing is written.
 */
export async function previewPolicySettings(viewer: Viewer, organizationName: string, values: PolicyFormValues, options: { now?: Date } = {}): Promise<PolicyPreviewView> {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const prisma = getPrisma();
  const current = await loadCurrentVersion(prisma, organization.id);
  const candidate = parseCandidate(values, current);
  const preview = await previewPolicyChange(prisma, organization, candidate, { now: options.now });
  return {
    baseVersion: current.version,
    fingerprint: policyFingerprint(candidate),
    changes: describeChanges(current.config, candidate),
    imageCount: preview.imageCount,
    tagCount: preview.tags.length,
    moves: preview.moves,
    repositoriesTurningRed: preview.repositoriesTurningRed,
    repositoriesLeavingRed: preview.repositoriesLeavingRed,
    changedTags: preview.changedTags.slice(0, PREVIEW_TAG_LIMIT),
    changedTagCount: preview.changedTags.length,
  };
}

/** The preview the owner confirmed, which a save must still match. */
export interface SaveExpectation {
  /** The version the preview compared with. The save is rejected when another version was saved since. */
  baseVersion: number;
  /** The previewed configuration's fingerprint. The save is rejected when the form's values differ from it. */
  fingerprint: string;
}

/**
 * Saves the form's values as a new version of the organization's policy
 * configuration: the previous version plus 1, where the built-in default is 1.
 * The owner's e-mail is its author, and an audit event is written in the same
 * transaction. Then it re-grades the organization's images. Throws INVALID_INPUT
 * for invalid values or settings equal to the current version, and CONFLICT
 * when `expected` no longer holds. A failed re-grade is logged and returned as
 * null, because the version is already saved.
 * NOTE: the re-grade runs within the request, in batches of 200 images, so a
 * large organization waits for it; the response then reports the new grades.
 */
export async function savePolicySettings(viewer: Viewer, organizationName: string, values: PolicyFormValues, options: { expected?: SaveExpectation; now?: Date } = {}) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const prisma = getPrisma();
  const current = await loadCurrentVersion(prisma, organization.id);
  const candidate = parseCandidate(values, current);
  const changes = changedOptions(current.config, candidate);
  const expected = options.expected;

  if (expected !== undefined && expected.baseVersion !== current.version) {
    throw newerVersionConflict(current);
  }
  if (expected !== undefined && expected.fingerprint !== policyFingerprint(candidate)) {
    throw new AppError("CONFLICT", "The settings changed after the preview, so they were not saved. Preview them again, then save.");
  }
  if (changes.length === 0) {
    throw new AppError("INVALID_INPUT", `These settings are the same as version ${current.version}, so there is nothing to save. Change a setting first.`, {
      details: { fieldErrors: {}, formErrors: [] },
    });
  }

  let saved: { version: number; createdAt: Date };
  try {
    saved = await prisma.$transaction(async (tx) => {
      // The unique (organizationId, version) index turns a concurrent save of the same version into P2002.
      const latest = await tx.policyConfiguration.findFirst({ where: { organizationId: organization.id }, orderBy: { version: "desc" }, select: { version: true } });
      const previousVersion = latest?.version ?? DEFAULT_VERSION;
      if (previousVersion !== current.version) throw newerVersionConflict({ version: previousVersion });
      const version = previousVersion + 1;
      const config = { ...candidate, version };
      const row = await tx.policyConfiguration.create({
        data: { organizationId: organization.id, version, config: JSON.parse(JSON.stringify(config)), author: viewer.email, ...(options.now ? { createdAt: options.now } : {}) },
        select: { version: true, createdAt: true },
      });
      await recordAuditEvent(tx, {
        organizationId: organization.id,
        actorId: viewer.id,
        action: "policy.changed",
        target: `version ${version}`,
        details: JSON.parse(JSON.stringify({ version, previousVersion, changes: changes.map(({ option, from, to }) => ({ option, from, to })) })),
      });
      return row;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", `Another owner saved version ${current.version + 1} at the same time, so these settings were not saved. Preview them again, then save.`, { cause: error });
    }
    throw error;
  }

  const regradedImages = await regradeAfterSave(prisma, organization.id, saved.version);
  return { version: saved.version, savedAt: saved.createdAt, regradedImages };
}

/** The CONFLICT error for a save whose preview compared with an older version than `latest`. */
function newerVersionConflict(latest: { version: number; author?: string | null; savedAt?: Date | null }): AppError {
  const by = latest.author && latest.savedAt ? ` by ${latest.author} at ${latest.savedAt.toISOString().replace("T", " ").slice(0, 16)} UTC` : "";
  return new AppError(
    "CONFLICT",
    `Version ${latest.version} of the policy configuration was saved${by} after the preview, so these settings were not saved. Preview them again to compare with version ${latest.version}, then save.`,
  );
}

async function regradeAfterSave(prisma: PrismaClient, organizationId: string, version: number): Promise<number | null> {
  try {
    return await regradeOrganization(prisma, organizationId, { causeIds: [`version ${version}`] });
  } catch (error) {
    logger.error({ err: error, org: organizationId, version }, "re-grading after a policy change failed");
    return null;
  }
}
