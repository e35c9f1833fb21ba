import { describe, expect, it } from "vitest";
import { defaultPolicyConfig } from "../policy-config";
import { imageFacts } from "../testdata/image-facts";
import { defaultNonRootUser } from "./default-non-root-user";

const settings = defaultPolicyConfig.policies["default-non-root-user"];
const evaluate = (user: string | null) => defaultNonRootUser.evaluate(imageFacts({ user }), settings);

describe("default non-root user", () => {
  it.each([
    [null, "not set"],
    ["", "not set"],
    ["   ", "not set"],
    ["root", "root"],
    ["0", "0"],
    ["00", "00"],
    ["0:0", "0:0"],
    ["root:root", "root:root"],
    ["root:staff", "root:staff"],
    ["0:1000", "0:1000"],
    [" root ", "root"],
    // An empty user part keeps the runtime's default user, root.
    [":1000", ":1000"],
  ])("fails for User %j", (user, shown) => {
    const outcome = evaluate(user);
    expect(outcome.status).toBe("fail");
    expect(outcome.evidence).toEqual([{ label: "Config User", value: shown }]);
    expect(outcome.remediation).toContain("USER 65532:65532");
    expect(outcome.remediation).toContain("final stage of the Dockerfile");
  });

  it.each([
    ["1000", "1000"],
    ["nobody", "nobody"],
    ["app:app", "app:app"],
    [" 1000 ", "1000"],
    ["1000:0", "1000:0"],
    ["65532:65532", "65532:65532"],
    ["10", "10"],
    ["rootless", "rootless"],
  ])("passes for User %j", (user, shown) => {
    const outcome = evaluate(user);
    expect(outcome.status).toBe("pass");
    expect(outcome.evidence).toEqual([{ label: "Config User", value: shown }]);
    expect(outcome.remediation).toBeNull();
  });

  it("says why, naming the value", () => {
    expect(evaluate(null).summary).toBe("The image config sets no user, so containers run as root by default.");
    expect(evaluate("0:0").summary).toBe("The image config sets the user to `0:0`, which runs containers as root.");
    expect(evaluate("1000:0").summary).toBe(
      "The image config sets the user to `1000:0`, so containers do not run as root by default.",
    );
  });
});
