import type { Policy } from "./policy";

const remediation =
  "Add `USER 65532:65532` (or a named non-root user, e.g. `USER app` after creating it) to the final stage of the Dockerfile.";

/**
 * Whether a config.User value runs the container as root. The user part decides;
 * the group does not (`1000:0` is a non-root user in group root).
 * NOTE: a named user is judged by its name; one whose /etc/passwd entry has uid 0
 * needs the image's files, which this policy does not read yet.
 */
export function isRootUser(user: string): boolean {
  const name = user.split(":", 1)[0] ?? "";
  // An empty user part (`:1000`) leaves the runtime's default, root. The runtime reads
  // a numeric user as an integer, so `00` is uid 0 as well.
  return name === "" || name === "root" || /^0+$/.test(name);
}

export const defaultNonRootUser: Policy = {
  id: "default-non-root-user",
  title: "Default non-root user",
  description: "Fails when the image config's User is empty, root or 0, with or without a group.",
  evaluate(facts) {
    const user = facts.user?.trim() ?? "";
    const evidence = [{ label: "Config User", value: user === "" ? "not set" : user }];
    if (user === "") {
      return {
        status: "fail",
        summary: "The image config sets no user, so containers run as root by default.",
        evidence,
        remediation,
      };
    }
    if (isRootUser(user)) {
      return {
        status: "fail",
        summary: `The image config sets the user to \`${user}\`, which runs containers as root.`,
        evidence,
        remediation,
      };
    }
    return {
      status: "pass",
      summary: `The image config sets the user to \`${user}\`, so containers do not run as root by default.`,
      evidence,
      remediation: null,
    };
  },
};
