import { describe, expect, it } from "vitest";
import { defaultPolicyConfig, parsePolicyConfig, PolicyConfigError } from "./policy-config";
import { policyIds } from "./types";

/** Returns the default configuration as plain JSON, as it arrives from a form or a file. */
function configInput(): { version: unknown; policies: Record<string, unknown> } {
  return structuredClone({ version: 2, policies: defaultPolicyConfig.policies });
}

function problemsOf(input: unknown) {
  try {
    parsePolicyConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return error as PolicyConfigError;
  }
  throw new Error("parsePolicyConfig accepted the input");
}

describe("defaultPolicyConfig", () => {
  it("has the default weights at version 1", () => {
    expect(defaultPolicyConfig.version).toBe(1);
    expect(policyIds.map((id) => defaultPolicyConfig.policies[id].weight)).toEqual([20, 20, 15, 15, 10, 5, 5]);
  });

  it("cannot be changed by accident", () => {
    expect(() => {
      (defaultPolicyConfig.policies["default-non-root-user"] as { weight: number }).weight = 0;
    }).toThrow(TypeError);
  });
});

describe("parsePolicyConfig", () => {
  it("accepts a full configuration", () => {
    const input = configInput();
    input.policies["no-agpl-v3-licenses"] = { weight: 0 };
    input.policies["supply-chain-attestations"] = { weight: 100 };
    const config = parsePolicyConfig(input);
    expect(config.version).toBe(2);
    expect(config.policies["no-agpl-v3-licenses"].weight).toBe(0);
    expect(config.policies["supply-chain-attestations"].weight).toBe(100);
  });

  it("accepts the default configuration", () => {
    expect(parsePolicyConfig(defaultPolicyConfig)).toEqual(defaultPolicyConfig);
  });

  it("rejects a negative weight, naming the field and the value", () => {
    const input = configInput();
    input.policies["default-non-root-user"] = { weight: -5 };
    const error = problemsOf(input);
    expect(error.problems).toEqual([
      {
        path: "policies.default-non-root-user.weight",
        message: "must be a whole number from 0 to 100 (0 turns the policy off), not -5",
      },
    ]);
    expect(error.message).toBe(
      "Invalid policy configuration: policies.default-non-root-user.weight must be a whole number from 0 to 100 (0 turns the policy off), not -5.",
    );
    expect(error.code).toBe("INVALID_INPUT");
  });

  it.each([
    [101, "101"],
    [2.5, "2.5"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    ["10", '"10"'],
    [null, "null"],
    [{ value: 10 }, "an object"],
  ])("rejects weight %j", (weight, shown) => {
    const input = configInput();
    input.policies["no-outdated-base-images"] = { weight };
    expect(problemsOf(input).problems).toEqual([
      {
        path: "policies.no-outdated-base-images.weight",
        message: `must be a whole number from 0 to 100 (0 turns the policy off), not ${shown}`,
      },
    ]);
  });

  it("rejects an unknown policy, naming it and the known ones", () => {
    const input = configInput();
    input.policies["no-latest-tag"] = { weight: 5 };
    const [problem, ...rest] = problemsOf(input).problems;
    expect(rest).toEqual([]);
    expect(problem?.path).toBe("policies.no-latest-tag");
    expect(problem?.message).toBe(`is not a known policy; the policies are ${policyIds.join(", ")}`);
  });

  it("rejects a missing policy", () => {
    const input = configInput();
    delete input.policies["no-agpl-v3-licenses"];
    expect(problemsOf(input).problems).toEqual([
      { path: "policies.no-agpl-v3-licenses", message: "is missing; give every policy a weight (0 turns it off)" },
    ]);
  });

  it("rejects a misspelt setting", () => {
    const input = configInput();
    input.policies["default-non-root-user"] = { weight: 5, wieght: 5 };
    expect(problemsOf(input).problems).toEqual([
      { path: "policies.default-non-root-user.wieght", message: "is not a known field" },
    ]);
  });

  it.each([
    [0, "must be a whole number of at least 1, not 0"],
    ["1", 'must be a whole number of at least 1, not "1"'],
    [undefined, "is missing; it must be a whole number of at least 1"],
  ])("rejects version %j", (version, message) => {
    const input = configInput();
    input.version = version;
    expect(problemsOf(input).problems).toEqual([{ path: "version", message }]);
  });

  it("lists every problem at once", () => {
    const input = configInput();
    input.version = -1;
    input.policies["no-fixable-critical-high"] = { weight: 500 };
    expect(problemsOf(input).problems.map((problem) => problem.path)).toEqual([
      "version",
      "policies.no-fixable-critical-high.weight",
    ]);
  });

  it.each([[null], ["weights"], [[]]])("rejects %j as a whole", (input) => {
    expect(problemsOf(input).problems).toEqual([
      { path: "", message: 'must be an object such as { "version": 1, "policies": { … } }' },
    ]);
  });
});
