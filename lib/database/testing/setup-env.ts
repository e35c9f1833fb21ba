import { inject } from "vitest";
import { resetEnvForTests } from "@/lib/env";

// Every test file talks to the run's migrated database through the normal environment module.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.LOG_LEVEL ??= "warn";
resetEnvForTests();
