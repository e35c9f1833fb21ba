import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { makeTempFolder, removeTempFolder } from "@/lib/advisories/testing/advisory-fixtures";
import { loadPolicyConfig } from "@/lib/cli/load-policy-config";
import { policyIds } from "@/scoring";

describe("loadPolicyConfig", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await makeTempFolder();
  });
  afterEach(async () => {
    await removeTempFolder(folder);
  });

  async function write(name: string, text: string): Promise<string> {
    const file = path.join(folder, name);
    await writeFile(file, text);
    return file;
  }

  // Lines 1 to 9; every policy needs an entry, as in the organization settings.
  const weights = ["version: 3", "policies:", ...policyIds.map((id) => `  ${id}: { weight: ${id === "default-non-root-user" ? 50 : 10} }`)];

  test("YAML with defaults filled in", async () => {
    const config = await loadPolicyConfig(await write("shipshape.yml", weights.join("\n")));
    expect(config.version).toBe(3);
    expect(config.policies["default-non-root-user"].weight).toBe(50);
    expect(config.policies["no-fixable-critical-high"].fixableOnly).toBe(true);
  });

  test("JSON file", async () => {
    const policies = Object.fromEntries(policyIds.map((id) => [id, { weight: id === "supply-chain-attestations" ? 0 : 5 }]));
    const file = await write("shipshape.json", JSON.stringify({ version: 2, policies }, null, 2));
    expect((await loadPolicyConfig(file)).policies["supply-chain-attestations"].weight).toBe(0);
  });

  test("unknown key named with line", async () => {
    const file = await write("shipshape.yml", [...weights, "  default-root-user:", "    weight: 7"].join("\n"));
    await expect(loadPolicyConfig(file)).rejects.toThrow(/policies\.default-root-user \(line 10\) is not a known policy/);
  });

  test("bad value named with line", async () => {
    const lines = weights.map((line) => (line.includes("no-agpl-v3-licenses") ? "  no-agpl-v3-licenses: { weight: 500 }" : line));
    await expect(loadPolicyConfig(await write("shipshape.yml", lines.join("\n")))).rejects.toThrow(/policies\.no-agpl-v3-licenses\.weight \(line 9\)/);
  });

  test("missing policy named", async () => {
    const lines = weights.filter((line) => !line.includes("no-outdated-base-images"));
    await expect(loadPolicyConfig(await write("shipshape.yml", lines.join("\n")))).rejects.toThrow(/policies\.no-outdated-base-images \(line 2\) is missing/);
  });

  test("YAML syntax error with line", async () => {
    const file = await write("shipshape.yml", ["version: 1", "policies: {", "  a: [", ""].join("\n"));
    await expect(loadPolicyConfig(file)).rejects.toThrow(/is not valid YAML or JSON: .*line \d+, column \d+/);
  });

  test("missing file", async () => {
    await expect(loadPolicyConfig(path.join(folder, "absent.yml"))).rejects.toThrow(/absent\.yml could not be read \(ENOENT\)\. Check the --config path/);
  });
});
