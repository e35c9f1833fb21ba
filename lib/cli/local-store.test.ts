import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { openLocalStore } from "@/lib/cli/local-store";
import { AppError } from "@/lib/errors";

describe("openLocalStore paths", () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), "shipshape-store-path-"));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it.each([true, false])("rejects a file as the store (create %s)", async (create) => {
    const file = path.join(folder, "record.json");
    await writeFile(file, "{}");

    const error = await openLocalStore(file, { create }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("INVALID_INPUT");
    expect((error as AppError).message).toBe(
      `The advisory store ${file} is a file, not a folder. Give the path of a folder, which \`shipshape advisories import --store DIR SOURCE...\` creates when missing.`,
    );
  });

  it("names a missing store and how to create it", async () => {
    const missing = path.join(folder, "no-store");

    const error = await openLocalStore(missing, { create: false }).catch((caught: unknown) => caught);

    expect((error as AppError).code).toBe("NOT_FOUND");
    expect((error as AppError).message).toContain(`The advisory store ${missing} was not found.`);
  });
});
