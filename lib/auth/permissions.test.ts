import { describe, expect, test } from "vitest";
import { effectivePermission, permissionAtLeast, type PermissionLevel, type Role } from "@/lib/auth/permissions";

describe("effectivePermission", () => {
  test.each<[Role | null, PermissionLevel | null, PermissionLevel[], PermissionLevel | null]>([
    [null, "ADMIN", ["ADMIN"], null],
    ["OWNER", null, [], "ADMIN"],
    ["MEMBER", null, [], null],
    ["MEMBER", "READ", [], "READ"],
    ["MEMBER", null, ["READ"], "READ"],
    ["MEMBER", "READ", ["WRITE"], "WRITE"],
    ["MEMBER", "ADMIN", ["READ"], "ADMIN"],
    ["MEMBER", null, ["READ", "ADMIN", "WRITE"], "ADMIN"],
  ])("role %s, default %s, teams %j gives %s", (role, defaultPermission, teamPermissions, expected) => {
    expect(effectivePermission({ role, defaultPermission, teamPermissions })).toBe(expected);
  });
});

describe("permissionAtLeast", () => {
  test.each<[PermissionLevel | null, PermissionLevel, boolean]>([
    [null, "READ", false],
    ["READ", "READ", true],
    ["READ", "WRITE", false],
    ["WRITE", "READ", true],
    ["ADMIN", "WRITE", true],
    ["WRITE", "ADMIN", false],
  ])("%s covers %s: %s", (level, required, expected) => {
    expect(permissionAtLeast(level, required)).toBe(expected);
  });
});
