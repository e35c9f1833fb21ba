import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { resetEnvForTests } from "@/lib/env";

// Every test file talks to the run's migrated database through the normal environment module.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.LOG_LEVEL ??= "warn";
// Tests run their registries, receivers and mail servers on loopback, which user-set URLs may otherwise not reach.
process.env.PRIVATE_TARGETS_ALLOWED ??= "127.0.0.1,localhost";
// A key for the secrets that code under test stores sealed (webhook secrets); tests of a missing key pass their own environment.
process.env.SECRETS_KEY ??= randomBytes(32).toString("base64");
resetEnvForTests();
