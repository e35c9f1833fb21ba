import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { acme, globex, ownRuleIds, roles, seedActionFixture, tokenIds, userIds, type OrganizationIds, type Role, type SeededSecrets, type SignedInRole } from "@/app/actions-access-fixture";
import { changedTables, snapshotDatabase } from "@/app/database-snapshot";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { previewPolicySettings } from "@/lib/data/settings/policies";
import { policyFormValuesOf } from "@/lib/data/settings/policy-form";
import { getPrisma } from "@/lib/db";
import { jobNames, stopQueueClient } from "@/lib/jobs/queue";
import { defaultPolicyConfig } from "@/scoring";

// Every server action runs for real against the test database. Only the session
// lookup is replaced, by the user of the running case. revalidatePath is replaced
// too, because it needs the request store of a running Next.js server and only
// clears the page cache.
const session = vi.hoisted(() => ({ uid: null as string | null, sessionVersion: 0 }));
vi.mock("next-auth", async (importOriginal) => {
  const original = await importOriginal<typeof import("next-auth")>();
  return { ...original, getServerSession: vi.fn(async () => (session.uid === null ? null : { uid: session.uid, sv: session.sessionVersion })) };
});
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

/** The form fields of one call. An array gives a field several values, as checkboxes do. */
type Fields = Record<string, string | string[]>;
/** One call of an action: the arguments a page binds before the form state (the organization name), and the form. */
interface Call {
  bound?: string[];
  form: Fields;
  /** How this call's rejection message reads, where it differs from the action's. */
  rejection?: RegExp;
}

interface ActionCase {
  /** Roles that `legit` succeeds for. Every other role is rejected, and anonymous visitors of session actions go to sign-in. */
  allowed: readonly Role[];
  /** The calls rejected for each role, above all those naming another organization's ids. */
  attacks: Partial<Record<Role, Call[]>>;
  /** A call that succeeds for an allowed role. */
  legit: (role: Role, seeded: SeededSecrets) => Call | Promise<Call>;
  /** The tables a legitimate call changes. */
  changes: readonly string[];
  /** How a rejection message reads. Unless set, it says "not found" or "not a member". */
  rejection?: RegExp;
  /** Tells whether a result counts as success. By default `ok`, `done`, or a previewed or saved status does. */
  succeeded?: (result: ActionResult) => boolean;
}

interface ActionResult {
  ok?: boolean;
  done?: boolean;
  status?: string;
  message: string;
}

const attackers = ["owner", "member", "rival", "outsider", "admin", "anonymous"] as const satisfies readonly Role[];

/** Returns the organization whose objects a role attacks: the acme owner attacks globex, everyone else attacks acme. */
function victimOf(role: Role): OrganizationIds {
  return role === "owner" ? globex : acme;
}

/** Returns the organization a role names as its own: the one it belongs to, or acme for users of none. */
function homeOf(role: Role): string {
  return role === "rival" || role === "outsider" ? globex.name : acme.name;
}

/**
 * Builds each role's attacks on an action that names ids: once with the role's
 * own organization and the victim's ids, once with the victim's organization.
 */
function idAttacks(form: (victim: OrganizationIds, org: string) => Fields): Partial<Record<Role, Call[]>> {
  return Object.fromEntries(
    attackers.map((role) => {
      const victim = victimOf(role);
      const organizations = [...new Set([homeOf(role), victim.name])];
      return [role, organizations.map((org) => ({ form: form(victim, org) }))];
    }),
  );
}

/** Builds each role's attack on an action that names no ids: it names the victim organization. */
function organizationAttacks(form: (victim: OrganizationIds) => Fields, bound = false): Partial<Record<Role, Call[]>> {
  return Object.fromEntries(attackers.map((role) => [role, [bound ? { bound: [victimOf(role).name], form: form(victimOf(role)) } : { form: form(victimOf(role)) }]]));
}

/** Adds attacks to a role's list. */
function withExtra(attacks: Partial<Record<Role, Call[]>>, extra: Partial<Record<Role, Call[]>>): Partial<Record<Role, Call[]>> {
  const merged = { ...attacks };
  for (const [role, calls] of Object.entries(extra) as [Role, Call[]][]) merged[role] = [...(merged[role] ?? []), ...calls];
  return merged;
}

/** Attacks by everyone but the site administrator, who may do what the action does. */
function nonAdminAttacks(form: (victim: OrganizationIds) => Fields): Partial<Record<Role, Call[]>> {
  const attacks = organizationAttacks(form);
  delete attacks.admin;
  return attacks;
}

const events = ["tag-grade-drop"];
const orgSettings = ["owner"] as const;
const everyoneSignedIn = ["owner", "member", "rival", "outsider", "admin"] as const;
const usersWithOrganization = ["owner", "member", "rival", "outsider"] as const;

/** Returns the user whose own rule or token a role attacks: the acme owner attacks the globex owner, everyone else the acme owner. */
function victimUserOf(role: Role): Exclude<SignedInRole, "admin"> {
  return role === "owner" ? "rival" : "owner";
}

const policyValues = { ...policyFormValuesOf(defaultPolicyConfig), "default-non-root-user.weight": "7" };

const settings = "app/orgs/[org]/settings/actions.ts";
const exceptions = "app/orgs/[org]/settings/exceptions/actions.ts";
const notifications = "app/orgs/[org]/settings/notifications/actions.ts";
const registry = "app/orgs/[org]/settings/registry/actions.ts";
const admin = "app/admin/actions.ts";
const registries = "app/admin/registries/actions.ts";
const ownNotifications = "app/settings/notifications/actions.ts";
const tokens = "app/settings/tokens/actions.ts";

/** Every server action, keyed "file › export". The enumeration test fails when an action is missing here. */
const cases: Record<string, ActionCase> = {
  [`${settings} › addMemberAction`]: {
    allowed: orgSettings,
    attacks: organizationAttacks((victim) => ({ org: victim.name, email: "newcomer@example.test", role: "OWNER" })),
    legit: () => ({ form: { org: acme.name, email: "newcomer@example.test", role: "MEMBER" } }),
    changes: ["AuditEvent", "Membership", "PasswordToken", "User"],
  },
  [`${settings} › changeRoleAction`]: {
    allowed: orgSettings,
    attacks: idAttacks((victim, org) => ({ org, userId: victim.member, role: "OWNER" })),
    legit: () => ({ form: { org: acme.name, userId: acme.member, role: "OWNER" } }),
    changes: ["AuditEvent", "Membership"],
  },
  [`${settings} › removeMemberAction`]: {
    allowed: orgSettings,
    attacks: idAttacks((victim, org) => ({ org, userId: victim.member })),
    legit: () => ({ form: { org: acme.name, userId: acme.member } }),
    changes: ["AuditEvent", "Membership", "TeamMember"],
  },
  [`${settings} › createTeamAction`]: {
    allowed: orgSettings,
    attacks: organizationAttacks((victim) => ({ org: victim.name, name: "intruders" })),
    legit: () => ({ form: { org: acme.name, name: "builders" } }),
    changes: ["AuditEvent", "Team"],
  },
  [`${settings} › renameTeamAction`]: {
    allowed: orgSettings,
    attacks: idAttacks((victim, org) => ({ org, teamId: victim.team, name: "renamed" })),
    legit: () => ({ form: { org: acme.name, teamId: acme.team, name: "renamed" } }),
    changes: ["AuditEvent", "Team"],
  },
  [`${settings} › deleteTeamAction`]: {
    allowed: orgSettings,
    attacks: idAttacks((victim, org) => ({ org, teamId: victim.team })),
    legit: () => ({ form: { org: acme.name, teamId: acme.team } }),
    changes: ["AuditEvent", "NotificationRule", "RepositoryPermission", "Team", "TeamMember"],
  },
  [`${settings} › addTeamMemberAction`]: {
    allowed: orgSettings,
    attacks: withExtra(
      idAttacks((victim, org) => ({ org, teamId: victim.team, userId: userIds.rival })),
      // An owner may not put a user of another organization into their own team.
      { owner: [{ form: { org: acme.name, teamId: acme.team, userId: userIds.outsider } }] },
    ),
    legit: () => ({ form: { org: acme.name, teamId: acme.team, userId: acme.owner } }),
    changes: ["AuditEvent", "TeamMember"],
  },
  [`${settings} › removeTeamMemberAction`]: {
    allowed: orgSettings,
    attacks: idAttacks((victim, org) => ({ org, teamId: victim.team, userId: victim.member })),
    legit: () => ({ form: { org: acme.name, teamId: acme.team, userId: acme.member } }),
    changes: ["AuditEvent", "TeamMember"],
  },
  [`${settings} › setTeamPermissionAction`]: {
    allowed: orgSettings,
    attacks: withExtra(
      idAttacks((victim, org) => ({ org, teamId: victim.team, repositoryId: victim.hiddenRepository, permission: "ADMIN" })),
      // An owner may not grant their own team a permission on another organization's repository.
      { owner: [{ form: { org: acme.name, teamId: acme.team, repositoryId: globex.hiddenRepository, permission: "ADMIN" } }] },
    ),
    legit: () => ({ form: { org: acme.name, teamId: acme.team, repositoryId: acme.hiddenRepository, permission: "WRITE" } }),
    changes: ["AuditEvent", "RepositoryPermission"],
  },
  [`${settings} › setDefaultPermissionAction`]: {
    allowed: orgSettings,
    attacks: organizationAttacks((victim) => ({ org: victim.name, permission: "ADMIN" })),
    legit: () => ({ form: { org: acme.name, permission: "READ" } }),
    changes: ["AuditEvent", "Organization"],
  },
  [`${exceptions} › addExceptionAction`]: {
    allowed: orgSettings,
    attacks: withExtra(
      organizationAttacks(() => ({ vulnerabilityId: "CVE-2021-44228", reason: "Planted by someone who does not own the organization." }), true),
      // An owner may not scope an exception to another organization's repository.
      { owner: [{ bound: [acme.name], form: { vulnerabilityId: "CVE-2021-44228", repository: globex.hiddenRepositoryName, reason: "Scoped to a repository of globex." }, rejection: /was not added/ }] },
    ),
    legit: () => ({ bound: [acme.name], form: { vulnerabilityId: "CVE-2021-44228", reason: "Log4j is not on the class path of these images." } }),
    changes: ["AuditEvent", "VulnerabilityException"],
  },
  [`${exceptions} › revokeExceptionAction`]: {
    allowed: orgSettings,
    attacks: Object.fromEntries(
      Object.entries(idAttacks((victim, org) => ({ org, exceptionId: victim.exception }))).map(([role, calls]) => [role, calls.map(({ form }) => ({ bound: [form.org as string], form: { exceptionId: form.exceptionId as string } }))]),
    ),
    legit: () => ({ bound: [acme.name], form: { exceptionId: acme.exception } }),
    changes: ["AuditEvent", "VulnerabilityException"],
  },
  [`${notifications} › createTeamRuleAction`]: {
    allowed: orgSettings,
    attacks: withExtra(
      idAttacks((victim, org) => ({ org, teamId: victim.team, events })),
      // An owner's team rule may not watch a repository of another organization.
      { owner: [{ form: { org: acme.name, teamId: acme.team, repository: globex.hiddenRepositoryName, events } }] },
    ),
    legit: () => ({ form: { org: acme.name, teamId: acme.team, events } }),
    changes: ["AuditEvent", "NotificationRule"],
  },
  [`${notifications} › createWebhookRuleAction`]: {
    allowed: orgSettings,
    attacks: withExtra(
      idAttacks((victim, org) => ({ org, webhookId: victim.webhook, events })),
      // A webhook rule would send another organization's grade drops to this organization's receiver.
      { owner: [{ form: { org: acme.name, webhookId: acme.webhook, repository: globex.hiddenRepositoryName, events } }] },
    ),
    legit: () => ({ form: { org: acme.name, webhookId: acme.webhook, events } }),
    changes: ["AuditEvent", "NotificationRule"],
  },
  [`${notifications} › deleteOrganizationRuleAction`]: {
    allowed: orgSettings,
    attacks: withExtra(
      idAttacks((victim, org) => ({ org, ruleId: victim.teamRule })),
      // A member's own rule is theirs: the organization's owner may not delete it as an organization rule.
      { owner: [{ form: { org: acme.name, ruleId: ownRuleIds.member } }] },
    ),
    legit: () => ({ form: { org: acme.name, ruleId: acme.teamRule } }),
    changes: ["AuditEvent", "NotificationRule"],
  },
  [`${notifications} › createWebhookAction`]: {
    allowed: orgSettings,
    attacks: organizationAttacks((victim) => ({ org: victim.name, name: "exfiltrate", url: "http://127.0.0.1:9/collect", format: "GENERIC" })),
    legit: () => ({ form: { org: acme.name, name: "builds", url: "http://127.0.0.1:9/builds", format: "SLACK" } }),
    changes: ["AuditEvent", "NotificationWebhook"],
  },
  [`${notifications} › deleteWebhookAction`]: {
    allowed: orgSettings,
    attacks: idAttacks((victim, org) => ({ org, webhookId: victim.webhook })),
    legit: () => ({ form: { org: acme.name, webhookId: acme.webhook } }),
    changes: ["AuditEvent", "NotificationWebhook"],
  },
  [`${notifications} › resumeWebhookAction`]: {
    allowed: orgSettings,
    attacks: idAttacks((victim, org) => ({ org, webhookId: victim.webhook })),
    legit: () => ({ form: { org: acme.name, webhookId: acme.webhook } }),
    changes: ["AuditEvent", "NotificationWebhook"],
  },
  ["app/orgs/[org]/settings/policies/actions.ts › policySettingsAction"]: {
    allowed: orgSettings,
    // A preview shows the organization's tags and grades, so it is rejected like a save.
    attacks: Object.fromEntries(
      attackers.map((role) => [
        role,
        [
          { bound: [victimOf(role).name], form: { ...policyValues, intent: "preview" } },
          { bound: [victimOf(role).name], form: { ...policyValues, intent: "save", baseVersion: "1", fingerprint: "0".repeat(64) } },
        ],
      ]),
    ),
    legit: async () => {
      const owner = { id: userIds.owner, email: "owner@acme.test", name: null, isSiteAdmin: false };
      const preview = await previewPolicySettings(owner, acme.name, policyValues);
      return { bound: [acme.name], form: { ...policyValues, intent: "save", baseVersion: String(preview.baseVersion), fingerprint: preview.fingerprint } };
    },
    changes: ["AuditEvent", "PolicyConfiguration"],
  },
  [`${registry} › testOrganizationRegistryAction`]: {
    allowed: orgSettings,
    attacks: organizationAttacks((victim) => ({ org: victim.name })),
    legit: () => ({ form: { org: acme.name } }),
    changes: [],
    // The empty layout folder lists no repository, so success here means the checks ran.
    succeeded: (result) => /reachable/i.test(result.message),
  },
  [`${registry} › syncOrganizationNowAction`]: {
    allowed: orgSettings,
    attacks: organizationAttacks((victim) => ({ org: victim.name })),
    legit: () => ({ form: { org: acme.name } }),
    changes: ["pgboss.job"],
  },
  [`${admin} › addOrganizationOwnerAction`]: {
    allowed: ["admin"],
    attacks: nonAdminAttacks(() => ({ organization: acme.name, email: "newcomer@example.test" })),
    legit: () => ({ form: { organization: "initech", email: "newcomer@example.test" } }),
    changes: ["AuditEvent", "Membership", "Organization", "PasswordToken", "User"],
  },
  [`${registries} › addRegistryAction`]: {
    allowed: ["admin"],
    attacks: nonAdminAttacks(() => ({ kind: "OCI_LAYOUT", url: "/tmp", hubApiUrl: "", username: "", password: "", syncIntervalMinutes: "", organizations: "initech" })),
    legit: (_role, seeded) => ({ form: { kind: "OCI_LAYOUT", url: seeded.spareLayoutFolder, hubApiUrl: "", username: "", password: "", syncIntervalMinutes: "", organizations: "initech" } }),
    changes: ["AuditEvent", "Organization", "Registry"],
  },
  [`${registries} › testRegistryConnectionAction`]: {
    allowed: ["admin"],
    attacks: nonAdminAttacks((victim) => ({ registryId: victim.registry })),
    legit: () => ({ form: { registryId: acme.registry } }),
    changes: [],
    succeeded: (result) => /reachable/i.test(result.message),
  },
  [`${registries} › syncRegistryNowAction`]: {
    allowed: ["admin"],
    attacks: nonAdminAttacks((victim) => ({ registryId: victim.registry })),
    legit: () => ({ form: { registryId: acme.registry } }),
    changes: ["pgboss.job"],
  },
  [`${registries} › rotateEventTokenAction`]: {
    allowed: ["admin"],
    attacks: nonAdminAttacks((victim) => ({ registryId: victim.registry })),
    legit: () => ({ form: { registryId: acme.registry } }),
    changes: ["AuditEvent", "Registry"],
  },
  [`${registries} › removeRegistryAction`]: {
    allowed: ["admin"],
    attacks: nonAdminAttacks((victim) => ({ registryId: victim.registry })),
    legit: () => ({ form: { registryId: acme.registry } }),
    changes: ["AuditEvent", "Organization", "Registry"],
  },
  ["app/set-password/actions.ts › setPasswordAction"]: {
    // The one-time token is the identity, so every visitor may use a valid one and none a forged one.
    allowed: roles,
    attacks: Object.fromEntries(roles.map((role) => [role, [{ form: { token: "forged-token", password: "correct-horse-battery", confirmation: "correct-horse-battery" } }]])),
    legit: (_role, seeded) => ({ form: { token: seeded.passwordToken, password: "correct-horse-battery", confirmation: "correct-horse-battery" } }),
    changes: ["PasswordToken", "User"],
    rejection: /invalid, expired or already used/,
  },
  ["app/notifications/unsubscribe/actions.ts › unsubscribeAction"]: {
    allowed: roles,
    attacks: Object.fromEntries(
      roles.map((role) => [
        role,
        [
          // Forged signatures on a team rule of each organization and on another user's own rule.
          { form: { token: `${acme.teamRule}.${userIds.member}.forged-signature` } },
          { form: { token: `${globex.teamRule}.${userIds.rival}.forged-signature` } },
          { form: { token: `${ownRuleIds.owner}.${userIds.owner}.forged-signature` } },
        ],
      ]),
    ),
    legit: (_role, seeded) => ({ form: { token: seeded.unsubscribeToken } }),
    changes: ["NotificationRule"],
    rejection: /invalid/,
  },
  [`${ownNotifications} › createOwnRuleAction`]: {
    allowed: usersWithOrganization,
    attacks: {
      owner: [{ form: { org: globex.name, events } }],
      // A read-only member may not watch a repository no team of theirs may read.
      member: [{ form: { org: acme.name, repository: acme.hiddenRepositoryName, events } }],
      rival: [{ form: { org: acme.name, events } }, { form: { org: globex.name, repository: acme.hiddenRepositoryName, events } }],
      outsider: [{ form: { org: acme.name, events } }],
      admin: [{ form: { org: acme.name, events } }],
      anonymous: [{ form: { org: acme.name, events } }],
    },
    legit: (role) => ({ form: { org: homeOf(role), repository: role === "member" ? "acme/api" : "", events } }),
    changes: ["NotificationRule"],
  },
  [`${ownNotifications} › deleteOwnRuleAction`]: {
    allowed: usersWithOrganization,
    attacks: Object.fromEntries(attackers.map((role) => [role, [{ form: { ruleId: ownRuleIds[victimUserOf(role)] } }, { form: { ruleId: victimOf(role).teamRule } }]])),
    legit: (role) => ({ form: { ruleId: ownRuleIds[role as keyof typeof ownRuleIds] } }),
    changes: ["NotificationRule"],
  },
  [`${tokens} › createTokenAction`]: {
    allowed: everyoneSignedIn,
    attacks: { anonymous: [{ form: { name: "CI", expiry: "30" } }] },
    legit: () => ({ form: { name: "CI", expiry: "30" } }),
    changes: ["ApiToken", "AuditEvent"],
  },
  [`${tokens} › revokeTokenAction`]: {
    allowed: everyoneSignedIn,
    attacks: Object.fromEntries(attackers.map((role) => [role, [{ form: { tokenId: tokenIds[victimUserOf(role)] } }]])),
    legit: (role) => ({ form: { tokenId: tokenIds[role as SignedInRole] } }),
    changes: ["ApiToken", "AuditEvent"],
  },
};

/** Lists app/**\/actions.ts, relative to the repository root. */
async function actionFiles(directory = "app"): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const child = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await actionFiles(child)));
    else if (entry.name === "actions.ts") files.push(child);
  }
  return files.sort();
}

type ActionFunction = (...args: unknown[]) => Promise<ActionResult>;

/** Imports every action module and returns its exported functions, keyed as in `cases`. */
async function loadActions(): Promise<Map<string, ActionFunction>> {
  const actions = new Map<string, ActionFunction>();
  for (const file of await actionFiles()) {
    const exports = (await import(path.resolve(file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === "function") actions.set(`${file} › ${name}`, value as ActionFunction);
    }
  }
  return actions;
}

function formData(fields: Fields): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, item);
  }
  return form;
}

/** The state each action's form starts with; actions read only `preview` of it (the policy form). */
const initialState = { ok: false, done: false, message: "", preview: null, values: {}, fieldErrors: {}, formErrors: [], status: "idle" };

type Outcome = { kind: "redirect"; location: string } | { kind: "result"; result: ActionResult };

/** Calls an action as `role` and returns its result, or where it redirected. */
async function callAs(role: Role, action: ActionFunction, call: Call): Promise<Outcome> {
  session.uid = role === "anonymous" ? null : userIds[role];
  session.sessionVersion = 0;
  try {
    const result = await action(...(call.bound ?? []), initialState, formData(call.form));
    return { kind: "result", result };
  } catch (error) {
    // next/navigation's redirect() throws an error whose digest is "NEXT_REDIRECT;type;location;status;".
    const digest = (error as { digest?: unknown }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT;")) return { kind: "redirect", location: digest.split(";")[2] ?? "" };
    throw error;
  }
}

function succeeded(actionCase: ActionCase, result: ActionResult): boolean {
  if (actionCase.succeeded) return actionCase.succeeded(result);
  return result.ok === true || result.done === true || result.status === "previewed" || result.status === "saved";
}

const hasSession = (actionCase: ActionCase) => !actionCase.allowed.includes("anonymous");

let actions: Map<string, ActionFunction>;
let layoutRoot: string;
let seeded: SeededSecrets;

beforeAll(async () => {
  actions = await loadActions();
  layoutRoot = await mkdtemp(path.join(tmpdir(), "shipshape-actions-"));
});

beforeEach(async () => {
  await resetDatabase();
  await rm(layoutRoot, { recursive: true, force: true });
  seeded = await seedActionFixture(layoutRoot);
  session.uid = null;
});

afterEach(async () => {
  // A queue client started by a sync action would keep changing pg-boss's tables between later snapshots.
  await stopQueueClient();
});

afterAll(async () => {
  // The sync cases queue jobs that a later test file's worker must not run. pg-boss creates its schema on first use.
  const [queue] = await getPrisma().$queryRaw<{ exists: boolean }[]>`SELECT to_regclass('pgboss.job') IS NOT NULL AS exists`;
  if (queue?.exists) await getPrisma().$executeRaw`DELETE FROM pgboss.job WHERE name = ${jobNames.syncOrganization}`;
  await rm(layoutRoot, { recursive: true, force: true });
});

test("every server action has a case", async () => {
  const exported = [...(await loadActions()).keys()].sort();
  expect(exported.length).toBeGreaterThan(0);
  expect(exported).toEqual(Object.keys(cases).sort());
});

for (const [key, actionCase] of Object.entries(cases)) {
  describe(key, () => {
    for (const role of roles) {
      const attacks = actionCase.attacks[role] ?? [];
      if (attacks.length > 0) {
        test(`rejects ${role}`, async () => {
          const action = actions.get(key);
          if (!action) throw new Error(`${key} is not exported by its module`);
          for (const call of attacks) {
            const where = `${role}: ${JSON.stringify(call)}`;
            const before = await snapshotDatabase();
            const outcome = await callAs(role, action, call);
            if (role === "anonymous" && hasSession(actionCase)) {
              expect(outcome, where).toEqual({ kind: "redirect", location: "/signin" });
            } else {
              expect(outcome.kind, where).toBe("result");
              const result = (outcome as { result: ActionResult }).result;
              expect(succeeded(actionCase, result), where).toBe(false);
              expect(result.message, where).toMatch(call.rejection ?? actionCase.rejection ?? /not found|not a member/i);
              expect(result.message, where).not.toMatch(/hidden-/);
            }
            expect(changedTables(before, await snapshotDatabase()), where).toEqual([]);
          }
        });
      }

      if (actionCase.allowed.includes(role)) {
        test(`allows ${role}`, async () => {
          const action = actions.get(key);
          if (!action) throw new Error(`${key} is not exported by its module`);
          const call = await actionCase.legit(role, seeded);
          const before = await snapshotDatabase();
          const outcome = await callAs(role, action, call);
          expect(outcome.kind).toBe("result");
          const result = (outcome as { result: ActionResult }).result;
          expect(succeeded(actionCase, result), result.message).toBe(true);
          expect(changedTables(before, await snapshotDatabase())).toEqual(actionCase.changes);
        });
      } else if (role === "anonymous") {
        test("sends anonymous to sign-in", async () => {
          const action = actions.get(key);
          if (!action) throw new Error(`${key} is not exported by its module`);
          const call = await actionCase.legit("owner", seeded);
          const before = await snapshotDatabase();
          expect(await callAs(role, action, call)).toEqual({ kind: "redirect", location: "/signin" });
          expect(changedTables(before, await snapshotDatabase())).toEqual([]);
        });
      }
    }

    if (hasSession(actionCase)) {
      test("sends ended owner sessions to sign-in", async () => {
        const action = actions.get(key);
        if (!action) throw new Error(`${key} is not exported by its module`);
        const call = await actionCase.legit("owner", seeded);
        const signInRedirect = { digest: expect.stringMatching(/^NEXT_REDIRECT;[^;]*;\/signin;/) as unknown };
        const before = await snapshotDatabase();
        session.uid = userIds.owner;

        // A cookie from before a sign-out or password change carries an older session version.
        session.sessionVersion = -1;
        await expect(action(...(call.bound ?? []), initialState, formData(call.form))).rejects.toMatchObject(signInRedirect);
        expect(changedTables(before, await snapshotDatabase())).toEqual([]);

        await getPrisma().user.update({ where: { id: userIds.owner }, data: { disabledAt: new Date() } });
        const disabled = await snapshotDatabase();
        session.sessionVersion = 0;
        await expect(action(...(call.bound ?? []), initialState, formData(call.form))).rejects.toMatchObject(signInRedirect);
        expect(changedTables(disabled, await snapshotDatabase())).toEqual([]);
      });
    }
  });
}
