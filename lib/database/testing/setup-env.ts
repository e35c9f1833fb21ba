import { inject } from "vitest";
import { resetEnvForTests } from "@/lib/env";

// Every test file talks to the run's migrated database through the normal environment module.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.LOG_LEVEL ??= "warn";
// Tests run their registries, receivers and mail servers on loopback, which user-set URLs may otherwise not reach.
process.env.PRIVATE_TARGETS_ALLOWED ??= "127.0.0.1,localhost";
resetEnvForTests();
