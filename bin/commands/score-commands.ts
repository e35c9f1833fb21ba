import type { Command } from "commander";
import { parseHostList, parseOutputFormat, parseSbomFormat, runCompare, runScore } from "@/bin/commands/score";
import { parseGrade, parsePolicyIds } from "@/lib/cli/gate";
import { policyIds } from "@/scoring";

const imageHelp = `IMAGE is one of:
  oci:DIR[:TAG]           an OCI image layout folder (skopeo copy … oci:DIR:TAG,
                          docker buildx build --output type=oci,tar=false,dest=DIR);
                          TAG is a tag (1.0) or a full name (acme/api:1.0), and
                          may be left out when the layout contains one image
  docker-archive:FILE     a docker save tarball, legacy or OCI form
  REGISTRY/REPO[:TAG]     an image on a registry, e.g. 127.0.0.1:5000/acme/api:1.2;
                          Docker Hub short names work (alpine:3.20)

Registry credentials come from --username and --password, else
SHIPSHAPE_REGISTRY_USERNAME and SHIPSHAPE_REGISTRY_PASSWORD, else the "auths"
of config.json in DOCKER_CONFIG or ~/.docker. Registries on 127.0.0.1 or
localhost are reached over http, others over https unless --insecure.

Without --advisories or --server no advisories are loaded, so the vulnerability
policies report "no data" and lose their points, as on the dashboard. With
--server URL --org ORG and an API token (SHIPSHAPE_TOKEN), the organization's
policy configuration and the server's advisories for the image's packages are
used, so the grade is the one the dashboard will show.
Progress goes to stderr on a terminal; it is off when CI is set and with --quiet.
Logs are off unless LOG_LEVEL is set; they go to stdout.`;

/** Adds `score` and `compare` with their options and help. */
export function addCliCommands(program: Command): void {
  const score = program
    .command("score")
    .description("Analyse an image locally and grade it with the dashboard's scoring library: the grade, the score arithmetic, each policy with evidence, and the fixes.")
    .argument("<image>", "the image to score (see below)")
    .option("--fail-under <grade>", "exit 2 when the grade is below this grade, A to F", parseGrade)
    .option("--fail-on <policies>", `exit 2 when one of these comma-separated policies fails: ${policyIds.join(", ")}`, parsePolicyIds)
    .option("--sbom <format>", "also write the package inventory as spdx (SPDX 2.3 JSON) or cyclonedx (CycloneDX 1.6 JSON)", parseSbomFormat)
    .option("--sbom-file <file>", "where --sbom writes; default sbom.spdx.json or sbom.cdx.json (one file per platform, named after it, for a multi-platform image)");
  addCommonOptions(score).addHelpText(
    "after",
    `
${imageHelp}

Exit codes:
  0  the image was scored and passed every gate
  1  the image could not be scored: bad input, unreadable image or config, unreachable registry, rejected credentials
  2  the image was scored but failed a gate: --fail-under or --fail-on`,
  );
  score.action(runScore);

  const compare = program
    .command("compare")
    .description("Score two images and show the grade, policies, packages and vulnerabilities that changed from BEFORE to AFTER.")
    .argument("<before>", "the old image (same forms as for score)")
    .argument("<after>", "the new image")
    .option("--fail-on-regression", "exit 2 when the grade dropped or a policy lost points on a platform both images have");
  addCommonOptions(compare).addHelpText(
    "after",
    `
${imageHelp}

Exit codes:
  0  both images were scored, and there is no regression or --fail-on-regression is not set
  1  an image could not be scored
  2  --fail-on-regression is set and the after image regressed`,
  );
  compare.action(runCompare);
}

function addCommonOptions(command: Command): Command {
  return command
    .option("--format <format>", "report format: text, json (schema in docs/cli/), sarif (2.1.0) or markdown", parseOutputFormat, "text")
    .option("-o, --output <file>", "write the report to this file instead of standard output")
    .option("--config <file>", "policy configuration, YAML or JSON, in the schema of the organization's policy settings; default: the default policies")
    .option("--advisories <dir>", "the advisory store written by `shipshape advisories import --store DIR`")
    .option("--server <url>", "take the policy configuration and the advisories from this Shipshape server, so the grade equals the dashboard's; needs --org and an API token")
    .option("--org <org>", "with --server: the organization whose policy configuration grades the image")
    .option("--token <token>", "with --server: an API token with read scope; prefer SHIPSHAPE_TOKEN, which stays out of the process list")
    .option("-q, --quiet", "print no progress")
    .option("--username <user>", "registry user name; set --password too")
    .option("--password <password>", "registry password or token; prefer SHIPSHAPE_REGISTRY_PASSWORD, which stays out of the process list")
    .option("--insecure", "allow plain http to a registry that is not on loopback")
    .option("--base-registries <hosts>", "comma-separated hosts that base image tags may be looked up on to tell whether they moved; empty for none (air-gapped)", parseHostList)
    .option("--sarif-location <path>", "the repository file that SARIF results point at", "Dockerfile");
}
