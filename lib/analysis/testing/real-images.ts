import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { unzipSync } from "fflate";

import { logger } from "@/lib/log";

/**
 * Test images built from real systems: a Debian rootfs from `debootstrap`,
 * turned into a three-layer OCI image with `umoci` and pushed with `skopeo`.
 *
 * Layer 1 is the debootstrapped rootfs without ruby-rack. Layer 2 adds an npm
 * `node_modules` tree copied from this repository's `node_modules` and deletes
 * the webrick gemspec, which becomes a whiteout. Layer 3 purges
 * python3-requests and installs ruby-rack with dpkg, so it rewrites
 * `/var/lib/dpkg/status`. It also replaces the npm semver package with another
 * major version and adds `/usr/local/bin/pagesize`, a Go program built in
 * module mode against Debian's golang.org/x/sys sources, with a hard link to
 * it at `/usr/local/bin/getpagesize`. Debian builds its own Go packages
 * (umoci here) in GOPATH mode, so their build info names no module, and this
 * program is what carries module and dependency lines.
 *
 * The oracle is read from the unpacked rootfs after each layer with tools that
 * are not the analyser: `dpkg-query`, `go version -m`, and the file names and
 * metadata files of each ecosystem.
 *
 * Builds need root (debootstrap, and umoci to keep file owners), the Debian
 * packages debootstrap, umoci, skopeo, golang-go and golang-golang-x-sys-dev,
 * and the Debian mirror of the apt sources. The rootfs and the image are
 * cached under `.cache/real-images/<hash of the inputs>` in the repository.
 */

export const DEBIAN_SUITE = "bookworm";

/**
 * Packages installed on top of debootstrap's minbase set, each for the files it brings:
 * python3-requests and python3-six `.egg-info` and `.dist-info` metadata, libcommons-lang3-java
 * a jar with `pom.properties`, ruby-rack and ruby-webrick gemspecs, umoci a Go binary.
 */
export const ROOTFS_PACKAGES: readonly string[] = ["python3-requests", "python3-six", "libcommons-lang3-java", "ruby-rack", "ruby-webrick", "umoci"];

/** The tag of the image in its OCI layout and in the registry. */
export const REAL_IMAGE_TAG = "bookworm";

/** Bump when the rootfs recipe changes, so cached rootfs trees are rebuilt. */
const ROOTFS_RECIPE_VERSION = 1;
/** Bump when the layer recipe or the oracle changes, so cached images are rebuilt. */
const IMAGE_RECIPE_VERSION = 2;

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DEFAULT_CACHE_ROOT = path.join(REPOSITORY_ROOT, ".cache", "real-images");
const NODE_MODULES = path.join(REPOSITORY_ROOT, "node_modules");

/** Commands run with this PATH and no other inherited variables, so the host's settings do not leak in. */
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const REQUIRED_TOOLS = [
  { command: "debootstrap", debianPackage: "debootstrap" },
  { command: "umoci", debianPackage: "umoci" },
  { command: "skopeo", debianPackage: "skopeo" },
  { command: "dpkg", debianPackage: "dpkg" },
  { command: "dpkg-query", debianPackage: "dpkg" },
  { command: "go", debianPackage: "golang-go" },
] as const;

/** Debian packages the build needs on the host, for error messages. */
const BUILD_PACKAGES = ["debootstrap", "umoci", "skopeo", "golang-go", "golang-golang-x-sys-dev"];

/** Debian's golang-golang-x-sys-dev installs the module's sources here, with its go.mod. */
const GO_SYS_SOURCES = "/usr/share/gocode/src/golang.org/x/sys";
/** Module path of the Go program layer 3 adds; `.test` is a reserved top-level domain. */
const GO_PROGRAM_MODULE = "shipshape.test/pagesize";
const GO_PROGRAM_PATH = "/usr/local/bin/pagesize";
/** A hard link to the Go program, which the layer tar stores as a link entry, as Debian does for perl and gunzip. */
const GO_PROGRAM_HARD_LINK = "/usr/local/bin/getpagesize";

/** Package trees copied from this repository's node_modules into `/app/node_modules` by layer 2. */
const NPM_LAYER_PACKAGES: readonly string[] = ["semver", "picomatch", "@types/semver", "accepts"];
/** Layer 3 replaces this package with a copy of another major version found nested in node_modules. */
const NPM_REPLACED_PACKAGE = "semver";

const log = logger.child({ module: "real-images" });

export interface ExpectedPackage {
  name: string;
  version: string;
  /** The file the package is read from, absolute within the image. */
  path: string;
  /** Index in the image's layers, lowest first, of the layer that added the package at this version. */
  layerIndex: number;
}

export interface ExpectedCopyright {
  /** The copyright file after resolving symlinks inside the image. */
  path: string;
  /** Whether the file is machine-readable (DEP-5, a `Format:` field in its first paragraph). */
  machineReadable: boolean;
  /** For a machine-readable file: the first-line `License:` values of its header and Files paragraphs, without "none". */
  licenses: string[];
}

export interface ExpectedDpkgPackage {
  name: string;
  version: string;
  arch: string;
  sourceName: string;
  sourceVersion: string;
  layerIndex: number;
  /** `/usr/share/doc/<name>/copyright`, or null when the image has none. */
  copyright: ExpectedCopyright | null;
}

export interface ExpectedGoModule {
  path: string;
  /** As recorded: "(devel)" for a main module built from a work tree. */
  version: string;
}

export interface ExpectedGoBinary {
  path: string;
  layerIndex: number;
  /** Toolchain version without "go", e.g. "1.19.8". */
  goVersion: string;
  /** The `mod` line; null for binaries built in GOPATH mode, which record only the package path. */
  mainModule: ExpectedGoModule | null;
  /** `dep` lines, with a `=>` replacement taking the place of the module it replaces. */
  dependencies: ExpectedGoModule[];
}

export interface RemovedPackage {
  type: "deb" | "pypi" | "gem" | "maven" | "npm" | "golang";
  name: string;
  version: string;
  path: string;
}

/** The packages and OS release the analyser must find in the real image, read with tools other than the analyser. */
export interface RealImageOracle {
  os: { id: string; versionId: string };
  dpkg: ExpectedDpkgPackage[];
  python: ExpectedPackage[];
  gems: ExpectedPackage[];
  /** Maven coordinates as `groupId:artifactId`, one per `pom.properties` of a regular jar file. */
  maven: ExpectedPackage[];
  npm: ExpectedPackage[];
  go: ExpectedGoBinary[];
  /** Packages a lower layer has and a later layer deletes or replaces with another version. */
  removed: RemovedPackage[];
}

export interface RealImage {
  /** OCI image layout directory holding the image under REAL_IMAGE_TAG. */
  layoutDirectory: string;
  manifestDigest: string;
  /** Layer digests, lowest first. */
  layerDigests: string[];
  oracle: RealImageOracle;
}

export interface RealImageOptions {
  /** Cache directory for rootfs trees and images; default `.cache/real-images` in the repository. */
  cacheRoot?: string;
}

/** An apt source entry that debootstrap can use. */
export interface DebianMirror {
  uri: string;
  /** The entry's `Signed-By` keyring file, or null for apt's default keyrings. */
  keyring: string | null;
}

// ---------------------------------------------------------------------------
// Mirror and rootfs

/**
 * Returns the first `deb` entry of the apt sources (`/etc/apt/sources.list`,
 * then `sources.list.d/*.list` and `*.sources` in name order) that lists
 * `suite` itself. Raises when none does, because debootstrap needs a mirror.
 */
export async function findDebianMirror(suite: string = DEBIAN_SUITE, aptDirectory = "/etc/apt"): Promise<DebianMirror> {
  const files = [path.join(aptDirectory, "sources.list")];
  const partsDirectory = path.join(aptDirectory, "sources.list.d");
  const parts = await readdir(partsDirectory).catch(() => [] as string[]);
  files.push(...parts.filter((name) => name.endsWith(".list")).sort().map((name) => path.join(partsDirectory, name)));
  files.push(...parts.filter((name) => name.endsWith(".sources")).sort().map((name) => path.join(partsDirectory, name)));

  for (const file of files) {
    const text = await readFile(file, "utf8").catch(() => null);
    if (text === null) continue;
    const entries = file.endsWith(".sources") ? parseDeb822Sources(text) : parseOneLineSources(text);
    const match = entries.find((entry) => entry.suites.includes(suite));
    if (match !== undefined) return { uri: match.uri, keyring: match.keyring };
  }
  throw new Error(`No apt source in ${aptDirectory}/sources.list or ${partsDirectory} lists the suite ${suite}; add a "deb" entry for it so debootstrap can use its mirror.`);
}

interface AptSourceEntry {
  uri: string;
  suites: string[];
  keyring: string | null;
}

/** Parses the deb822 `.sources` format of sources.list(5). */
function parseDeb822Sources(text: string): AptSourceEntry[] {
  const entries: AptSourceEntry[] = [];
  for (const paragraph of splitParagraphs(text)) {
    const fields = parseParagraphFields(paragraph);
    const types = (fields.get("types") ?? "").split(/\s+/);
    if (!types.includes("deb") || fields.get("enabled")?.toLowerCase() === "no") continue;
    const uri = (fields.get("uris") ?? "").split(/\s+/)[0] ?? "";
    if (uri === "") continue;
    const signedBy = fields.get("signed-by") ?? "";
    entries.push({
      uri,
      suites: (fields.get("suites") ?? "").split(/\s+/).filter(Boolean),
      // Signed-By holds either key file paths or an inline key block; only a single path can go to debootstrap.
      keyring: /^\/\S+$/.test(signedBy) ? signedBy : null,
    });
  }
  return entries;
}

/** Parses one-line entries: `deb [option=value …] uri suite component…`. */
function parseOneLineSources(text: string): AptSourceEntry[] {
  const entries: AptSourceEntry[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/#.*$/, "").trim();
    const optionsMatch = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (optionsMatch === null) continue;
    const options = (optionsMatch[1] ?? "").split(/\s+/);
    const signedBy = options.find((option) => option.startsWith("signed-by="))?.slice("signed-by=".length) ?? null;
    entries.push({ uri: optionsMatch[2] ?? "", suites: [optionsMatch[3] ?? ""], keyring: signedBy !== null && signedBy.startsWith("/") ? signedBy : null });
  }
  return entries;
}

interface DebianRootfs {
  /** Cache directory of this rootfs: `rootfs/`, `debs/` and `images/`. */
  directory: string;
  rootfs: string;
  key: string;
}

/**
 * Returns the cached Debian rootfs for the current inputs, running
 * `debootstrap --variant=minbase --include=ROOTFS_PACKAGES` first when the
 * cache has none. Packages downloaded for later layers are kept in `debs/`;
 * the rest of apt's download cache and package lists are deleted, as Debian's
 * own images do.
 */
export async function buildDebianRootfs(options: RealImageOptions = {}): Promise<DebianRootfs> {
  await checkBuildHost();
  const cacheRoot = options.cacheRoot ?? DEFAULT_CACHE_ROOT;
  const mirror = await findDebianMirror(DEBIAN_SUITE);
  const architecture = (await run("dpkg", ["--print-architecture"])).trim();
  const key = hashInputs({ recipe: ROOTFS_RECIPE_VERSION, suite: DEBIAN_SUITE, variant: "minbase", mirror, architecture, packages: ROOTFS_PACKAGES });
  const directory = path.join(cacheRoot, key);
  const rootfs = path.join(directory, "rootfs");
  if (await exists(path.join(directory, "complete"))) return { directory, rootfs, key };

  await mkdir(cacheRoot, { recursive: true });
  const partial = path.join(cacheRoot, `.partial-${key}-${randomBytes(4).toString("hex")}`);
  const started = Date.now();
  log.info({ mirror: mirror.uri, suite: DEBIAN_SUITE, key }, "building Debian rootfs with debootstrap");
  try {
    const target = path.join(partial, "rootfs");
    await run("debootstrap", [
      "--variant=minbase",
      `--arch=${architecture}`,
      `--include=${ROOTFS_PACKAGES.join(",")}`,
      ...(mirror.keyring === null ? [] : [`--keyring=${mirror.keyring}`]),
      DEBIAN_SUITE,
      target,
      mirror.uri,
    ]);
    await keepDebs(target, path.join(partial, "debs"), ["ruby-rack"]);
    await cleanRootfs(target);
    await writeFile(path.join(partial, "complete"), `${new Date().toISOString()}\n`);
    await moveIntoCache(partial, directory);
    await removeOtherEntries(cacheRoot, key);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  log.info({ key, seconds: Math.round((Date.now() - started) / 1000) }, "Debian rootfs built");
  return { directory, rootfs, key };
}

/** Moves the named packages' downloaded `.deb` files out of the rootfs, for dpkg to install in a later layer. */
async function keepDebs(rootfs: string, debDirectory: string, packages: readonly string[]): Promise<void> {
  const archives = path.join(rootfs, "var/cache/apt/archives");
  const names = await readdir(archives);
  await mkdir(debDirectory, { recursive: true });
  for (const name of packages) {
    const file = names.find((candidate) => candidate.startsWith(`${name}_`) && candidate.endsWith(".deb"));
    if (file === undefined) throw new Error(`debootstrap left no ${name}_*.deb in ${archives}; it is needed for layer 3.`);
    await rename(path.join(archives, file), path.join(debDirectory, file));
  }
}

async function cleanRootfs(rootfs: string): Promise<void> {
  const archives = path.join(rootfs, "var/cache/apt/archives");
  for (const name of await readdir(archives)) {
    if (name.endsWith(".deb")) await rm(path.join(archives, name));
  }
  const lists = path.join(rootfs, "var/lib/apt/lists");
  for (const name of await readdir(lists)) {
    if (name !== "partial" && name !== "lock") await rm(path.join(lists, name), { recursive: true, force: true });
  }
  // debootstrap copies the build host's resolver configuration and host name into the target.
  await writeFile(path.join(rootfs, "etc/resolv.conf"), "");
  await rm(path.join(rootfs, "etc/hostname"), { force: true });
}

// ---------------------------------------------------------------------------
// Image

/**
 * Returns the three-layer real image and its oracle, building both into the
 * cache when the rootfs, the recipe or the copied node_modules packages
 * changed. See the module comment for what each layer does.
 */
export async function buildRealImage(options: RealImageOptions = {}): Promise<RealImage> {
  const rootfs = await buildDebianRootfs(options);
  const npmSources = await findNpmSources();
  const imageKey = hashInputs({
    recipe: IMAGE_RECIPE_VERSION,
    rootfs: rootfs.key,
    npm: await Promise.all([...npmSources.layer2, npmSources.replacement].map(async (source) => ({ to: source.to, manifest: await hashFile(path.join(source.from, "package.json")) }))),
    go: await goInputs(),
  });
  const directory = path.join(rootfs.directory, "images", imageKey);
  const oraclePath = path.join(directory, "oracle.json");
  if (await exists(oraclePath)) return await readCachedImage(directory);

  await mkdir(path.dirname(directory), { recursive: true });
  const partial = path.join(path.dirname(directory), `.partial-${imageKey}-${randomBytes(4).toString("hex")}`);
  const started = Date.now();
  log.info({ rootfs: rootfs.key, image: imageKey }, "building the real image with umoci");
  try {
    const built = await buildLayers(rootfs, npmSources, partial);
    await writeFile(path.join(partial, "oracle.json"), `${JSON.stringify(built, null, 1)}\n`);
    await moveIntoCache(partial, directory);
    await removeOtherEntries(path.dirname(directory), imageKey);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  log.info({ image: imageKey, seconds: Math.round((Date.now() - started) / 1000) }, "real image built");
  return await readCachedImage(directory);
}

/** Reads a cached image's oracle.json; the layout path is derived again, because the repository may have moved since. */
async function readCachedImage(directory: string): Promise<RealImage> {
  const image = JSON.parse(await readFile(path.join(directory, "oracle.json"), "utf8")) as RealImage;
  return { ...image, layoutDirectory: path.join(directory, "oci") };
}

interface NpmSources {
  /** Package folders copied by layer 2: source in node_modules, destination in the image. */
  layer2: { from: string; to: string }[];
  /** The package folder layer 3 puts in place of the layer 2 copy at the same destination. */
  replacement: { from: string; to: string };
}

async function findNpmSources(): Promise<NpmSources> {
  const layer2: { from: string; to: string }[] = [];
  for (const name of NPM_LAYER_PACKAGES) {
    const from = path.join(NODE_MODULES, name);
    if (!(await exists(path.join(from, "package.json")))) {
      throw new Error(`${from}/package.json is missing; run npm ci, or change NPM_LAYER_PACKAGES in lib/analysis/testing/real-images.ts to packages that node_modules has.`);
    }
    layer2.push({ from, to: `/app/node_modules/${name}` });
  }

  const topVersion = await packageVersion(path.join(NODE_MODULES, NPM_REPLACED_PACKAGE));
  const nested = await findNestedPackage(NPM_REPLACED_PACKAGE, (version) => majorOf(version) !== majorOf(topVersion));
  if (nested === null) {
    throw new Error(`No nested ${NPM_REPLACED_PACKAGE} of another major version than ${topVersion} found in node_modules; change NPM_REPLACED_PACKAGE in lib/analysis/testing/real-images.ts.`);
  }

  return { layer2, replacement: { from: nested, to: `/app/node_modules/${NPM_REPLACED_PACKAGE}` } };
}

/** Returns the first `node_modules/<parent>/node_modules/<name>` folder, in name order, whose version passes `accept`. */
async function findNestedPackage(name: string, accept: (version: string) => boolean): Promise<string | null> {
  const parents: string[] = [];
  for (const entry of (await readdir(NODE_MODULES)).sort()) {
    if (entry.startsWith("@")) {
      const scoped = await readdir(path.join(NODE_MODULES, entry)).catch(() => [] as string[]);
      parents.push(...scoped.sort().map((child) => path.join(NODE_MODULES, entry, child)));
    } else {
      parents.push(path.join(NODE_MODULES, entry));
    }
  }
  for (const parent of parents) {
    const candidate = path.join(parent, "node_modules", name);
    const version = await packageVersion(candidate).catch(() => null);
    if (version !== null && accept(version)) return candidate;
  }
  return null;
}

async function packageVersion(directory: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(directory, "package.json"), "utf8")) as { version?: unknown };
  if (typeof manifest.version !== "string") throw new Error(`${directory}/package.json has no version.`);
  return manifest.version;
}

function majorOf(version: string): string {
  return version.split(".")[0] ?? version;
}

/** Builds the OCI layout in `directory/oci` and returns its digests with the oracle. */
async function buildLayers(rootfs: DebianRootfs, npm: NpmSources, directory: string): Promise<Omit<RealImage, "layoutDirectory">> {
  const layout = path.join(directory, "oci");
  const bundle = path.join(directory, "bundle");
  const root = path.join(bundle, "rootfs");
  const image = `${layout}:${REAL_IMAGE_TAG}`;
  const snapshots: Snapshot[] = [];

  await mkdir(directory, { recursive: true });
  await run("umoci", ["init", "--layout", layout]);
  await run("umoci", ["new", "--image", image]);
  await run("umoci", ["unpack", "--image", image, bundle]);

  // Layer 1: the rootfs without ruby-rack, which layer 3 installs.
  await run("cp", ["-a", `${rootfs.rootfs}/.`, `${root}/`]);
  await run("dpkg", [`--root=${root}`, "--purge", "ruby-rack"]);
  snapshots.push(await takeSnapshot(root));
  await repack(image, bundle, "debootstrap --variant=minbase without ruby-rack");

  // Layer 2: an npm tree, and a deleted gemspec that umoci records as a whiteout.
  for (const source of npm.layer2) await copyTree(source.from, path.join(root, source.to));
  const webrick = await findFile(path.join(root, "usr/share/rubygems-integration/all/specifications"), /^webrick-.*\.gemspec$/);
  await rm(webrick);
  snapshots.push(await takeSnapshot(root));
  await repack(image, bundle, "add /app/node_modules, delete the webrick gemspec");

  // Layer 3: dpkg rewrites its status file; a package folder and a binary are replaced or added.
  await run("dpkg", [`--root=${root}`, "--purge", "python3-requests"]);
  const rackDeb = await findFile(path.join(rootfs.directory, "debs"), /^ruby-rack_.*\.deb$/);
  await run("dpkg", [`--root=${root}`, "--install", rackDeb]);
  await rm(path.join(root, npm.replacement.to), { recursive: true, force: true });
  await copyTree(npm.replacement.from, path.join(root, npm.replacement.to));
  await buildGoProgram(path.join(directory, "go"), path.join(root, GO_PROGRAM_PATH));
  await run("ln", [path.join(root, GO_PROGRAM_PATH), path.join(root, GO_PROGRAM_HARD_LINK)]);
  snapshots.push(await takeSnapshot(root));
  await repack(image, bundle, `purge python3-requests, install ruby-rack, replace semver, add ${GO_PROGRAM_PATH}`);

  await run("umoci", ["gc", "--layout", layout]);
  await rm(bundle, { recursive: true, force: true });
  const { manifestDigest, layerDigests } = await readLayoutManifest(layout, REAL_IMAGE_TAG);
  if (layerDigests.length !== snapshots.length) {
    throw new Error(`umoci wrote ${layerDigests.length} layers to ${layout}, expected ${snapshots.length}.`);
  }
  return { manifestDigest, layerDigests, oracle: buildOracle(snapshots) };
}

/** Returns the Go toolchain and x/sys versions, which decide the bytes of the Go program. */
async function goInputs(): Promise<{ toolchain: string; sys: string }> {
  return { toolchain: (await run("go", ["version"])).trim(), sys: await goSysVersion() };
}

/** Returns the module version of Debian's golang.org/x/sys sources: upstream version "0.3.0" of package version "0.3.0-1" as "v0.3.0". */
async function goSysVersion(): Promise<string> {
  const packageVersion = (await run("dpkg-query", ["--show", "--showformat=${Version}", "golang-golang-x-sys-dev"]).catch(() => "")).trim();
  const upstream = /^(?:\d+:)?([0-9][^-~+]*)/.exec(packageVersion)?.[1];
  if (upstream === undefined) throw new Error("The Debian package golang-golang-x-sys-dev is not installed; install it (apt-get install golang-golang-x-sys-dev).");
  return `v${upstream}`;
}

/**
 * Builds a small Go program in module mode with golang.org/x/sys vendored from
 * Debian's sources, so its build info has a `mod` line and a `dep` line with a
 * version. The module proxy is off: everything comes from Debian packages.
 */
async function buildGoProgram(workDirectory: string, output: string): Promise<void> {
  const sysVersion = await goSysVersion();
  const sysGoDirective = /^go\s+(\S+)/m.exec(await readFile(path.join(GO_SYS_SOURCES, "go.mod"), "utf8"))?.[1] ?? "1.17";

  const source = path.join(workDirectory, "src");
  const vendored = path.join(source, "vendor/golang.org/x/sys");
  await mkdir(vendored, { recursive: true });
  await writeFile(path.join(source, "go.mod"), `module ${GO_PROGRAM_MODULE}\n\ngo 1.19\n\nrequire golang.org/x/sys ${sysVersion}\n`);
  await writeFile(
    path.join(source, "main.go"),
    'package main\n\nimport (\n\t"fmt"\n\n\t"golang.org/x/sys/unix"\n)\n\nfunc main() {\n\tfmt.Println(unix.Getpagesize())\n}\n',
  );

  await run("cp", ["-R", path.join(GO_SYS_SOURCES, "unix"), path.join(GO_SYS_SOURCES, "internal"), `${vendored}/`]);
  // vendor/modules.txt is what `go mod vendor` writes: the module, its go version, and the packages used.
  await writeFile(
    path.join(source, "vendor/modules.txt"),
    `# golang.org/x/sys ${sysVersion}\n## explicit; go ${sysGoDirective}\ngolang.org/x/sys/internal/unsafeheader\ngolang.org/x/sys/unix\n`,
  );

  await mkdir(path.dirname(output), { recursive: true });
  await run("go", ["build", "-trimpath", "-o", output, "."], {
    cwd: source,
    env: {
      HOME: workDirectory,
      GOCACHE: path.join(workDirectory, "cache"),
      GOPATH: path.join(workDirectory, "gopath"),
      GOFLAGS: "-mod=vendor",
      GOPROXY: "off",
      GO111MODULE: "on",
      CGO_ENABLED: "0",
    },
  });
  await rm(workDirectory, { recursive: true, force: true });
}

async function repack(image: string, bundle: string, comment: string): Promise<void> {
  // --refresh-bundle makes the next repack diff against this one, so each repack adds one layer of changes.
  await run("umoci", ["repack", "--refresh-bundle", `--history.comment=${comment}`, "--image", image, bundle]);
}

async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  // -L stores symlinks of the source tree as files, because links in node_modules can point outside the package.
  await run("cp", ["-RL", "--preserve=mode,timestamps", from, to]);
}

async function findFile(directory: string, pattern: RegExp): Promise<string> {
  const name = (await readdir(directory)).find((entry) => pattern.test(entry));
  if (name === undefined) throw new Error(`No file in ${directory} matches ${pattern}.`);
  return path.join(directory, name);
}

/** Reads the manifest of `tag` from an OCI image layout's index.json. */
export async function readLayoutManifest(layout: string, tag: string): Promise<{ manifestDigest: string; layerDigests: string[] }> {
  const index = JSON.parse(await readFile(path.join(layout, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const descriptor = index.manifests.find((entry) => entry.annotations?.["org.opencontainers.image.ref.name"] === tag);
  if (descriptor === undefined) throw new Error(`${layout}/index.json has no manifest tagged ${tag}.`);
  const [algorithm, hex] = descriptor.digest.split(":");
  const manifest = JSON.parse(await readFile(path.join(layout, "blobs", algorithm ?? "", hex ?? ""), "utf8")) as { layers: { digest: string }[] };
  return { manifestDigest: descriptor.digest, layerDigests: manifest.layers.map((layer) => layer.digest) };
}

// ---------------------------------------------------------------------------
// Push

export interface PushCredentials {
  username: string;
  password: string;
}

/**
 * Copies the image to `<registry>/<repository>:REAL_IMAGE_TAG` with
 * `skopeo copy --preserve-digests`, so the registry stores the same manifest
 * and layer digests as the layout. The registry is a plain-http test registry.
 */
export async function pushRealImage(image: RealImage, registry: { url: string }, repository: string, credentials: PushCredentials): Promise<void> {
  const host = new URL(registry.url).host;
  const home = await mkdtemp(path.join(tmpdir(), "shipshape-skopeo-"));
  try {
    await run(
      "skopeo",
      [
        "copy",
        "--quiet",
        "--preserve-digests",
        "--dest-tls-verify=false",
        `--dest-creds=${credentials.username}:${credentials.password}`,
        `oci:${image.layoutDirectory}:${REAL_IMAGE_TAG}`,
        `docker://${host}/${repository}:${REAL_IMAGE_TAG}`,
      ],
      // An empty HOME keeps skopeo away from the user's registry credentials and settings.
      { home },
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Oracle

/** The packages the rootfs contains at one point of the build, before layer indexes are known. */
interface Snapshot {
  os: { id: string; versionId: string };
  dpkg: Omit<ExpectedDpkgPackage, "layerIndex">[];
  python: Omit<ExpectedPackage, "layerIndex">[];
  gems: Omit<ExpectedPackage, "layerIndex">[];
  maven: Omit<ExpectedPackage, "layerIndex">[];
  npm: Omit<ExpectedPackage, "layerIndex">[];
  go: Omit<ExpectedGoBinary, "layerIndex">[];
}

/** Reads every package of the rootfs at `root` with dpkg-query and a walk of its files. */
async function takeSnapshot(root: string): Promise<Snapshot> {
  const snapshot: Snapshot = { os: await readOsRelease(root), dpkg: await readDpkgPackages(root), python: [], gems: [], maven: [], npm: [], go: [] };

  for await (const file of walkRegularFiles(root)) {
    const imagePath = file.imagePath;
    const name = path.posix.basename(imagePath);
    const parent = path.posix.dirname(imagePath);
    const parentName = path.posix.basename(parent);

    if ((name === "METADATA" && parentName.endsWith(".dist-info")) || (name === "PKG-INFO" && parentName.endsWith(".egg-info")) || name.endsWith(".egg-info")) {
      const headers = readMetadataHeaders(await readFile(file.hostPath, "utf8"));
      snapshot.python.push({ name: headers.get("name") ?? "", version: headers.get("version") ?? "", path: imagePath });
    } else if (name.endsWith(".gemspec") && (parentName === "specifications" || (parentName === "default" && path.posix.basename(path.posix.dirname(parent)) === "specifications"))) {
      snapshot.gems.push({ ...gemFromFileName(name), path: imagePath });
    } else if (name.endsWith(".jar")) {
      for (const coordinates of readPomProperties(await readFile(file.hostPath))) snapshot.maven.push({ ...coordinates, path: imagePath });
    } else if (name === "package.json" && isInstalledNpmPackageFolder(parent)) {
      const manifest = JSON.parse(await readFile(file.hostPath, "utf8")) as { name?: string; version?: string };
      snapshot.npm.push({ name: manifest.name ?? "", version: manifest.version ?? "", path: imagePath });
    }
  }
  snapshot.go = await readGoBinaries(root);
  return snapshot;
}

/**
 * Lists the Go binaries under `root` with `go version -m`, which walks a
 * directory for executables with Go build info, without following symlinks.
 */
async function readGoBinaries(root: string): Promise<Omit<ExpectedGoBinary, "layerIndex">[]> {
  const binaries: Omit<ExpectedGoBinary, "layerIndex">[] = [];
  let current: { path: string; goVersion: string; lines: string[] } | null = null;
  const finish = () => {
    if (current !== null) binaries.push({ path: current.path, goVersion: current.goVersion, ...parseModuleLines(current.lines.join("\n")) });
  };

  for (const line of (await run("go", ["version", "-m", root])).split("\n")) {
    // A binary starts with "<file>: go1.19.8"; its build info lines follow, indented by a tab.
    const header = /^(.+): (go\S+|devel .*)$/.exec(line);
    if (header !== null && !line.startsWith("\t")) {
      finish();
      const file = header[1] ?? "";
      current = { path: `/${path.relative(root, file).split(path.sep).join("/")}`, goVersion: (header[2] ?? "").replace(/^go/, "").split(" ")[0] ?? "", lines: [] };
    } else if (current !== null && line.startsWith("\t")) {
      current.lines.push(line.slice(1));
    }
  }
  finish();
  return binaries.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Returns whether `folder` is `…/node_modules/<name>` or `…/node_modules/@scope/<name>`, the places npm installs packages. */
function isInstalledNpmPackageFolder(folder: string): boolean {
  const parent = path.posix.dirname(folder);
  if (path.posix.basename(parent) === "node_modules") return !path.posix.basename(folder).startsWith("@");
  return path.posix.basename(parent).startsWith("@") && path.posix.basename(path.posix.dirname(parent)) === "node_modules";
}

async function readOsRelease(root: string): Promise<{ id: string; versionId: string }> {
  // Debian's /etc/os-release is a relative link to ../usr/lib/os-release.
  const resolved = await resolveInImage(root, "/etc/os-release");
  if (resolved === null) throw new Error(`${root}/etc/os-release is missing.`);
  const fields = new Map<string, string>();
  for (const match of (await readFile(path.join(root, resolved), "utf8")).matchAll(/^([A-Z_]+)=(.*)$/gm)) {
    fields.set(match[1] ?? "", (match[2] ?? "").replace(/^"(.*)"$/, "$1"));
  }
  return { id: fields.get("ID") ?? "", versionId: fields.get("VERSION_ID") ?? "" };
}

async function readDpkgPackages(root: string): Promise<Omit<ExpectedDpkgPackage, "layerIndex">[]> {
  // ${source:Package} and ${source:Version} fall back to the binary package's own name and version, as dpkg-query(1) documents.
  const format = "${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${db:Status-Status}\\n";
  const output = await run("dpkg-query", [`--admindir=${path.join(root, "var/lib/dpkg")}`, "--show", `--showformat=${format}`]);
  const packages: Omit<ExpectedDpkgPackage, "layerIndex">[] = [];
  for (const line of output.split("\n")) {
    const [name, version, arch, sourceName, sourceVersion, status] = line.split("\t");
    if (name === undefined || name === "" || status !== "installed") continue;
    packages.push({
      name,
      version: version ?? "",
      arch: arch ?? "",
      sourceName: sourceName ?? "",
      sourceVersion: sourceVersion ?? "",
      copyright: await readCopyright(root, `/usr/share/doc/${name}/copyright`),
    });
  }
  return packages;
}

async function readCopyright(root: string, imagePath: string): Promise<ExpectedCopyright | null> {
  const resolved = await resolveInImage(root, imagePath);
  if (resolved === null) return null;
  const text = await readFile(path.join(root, resolved), "utf8").catch(() => null);
  if (text === null) return null;

  const paragraphs = splitParagraphs(text).map(parseParagraphFields);
  const machineReadable = paragraphs[0]?.has("format") === true;
  const licenses: string[] = [];
  if (machineReadable) {
    for (const [index, fields] of paragraphs.entries()) {
      if (index !== 0 && !fields.has("files")) continue;
      // Only the first line names the license; the lines after it hold the license text.
      const shortName = (fields.get("license") ?? "").split("\n")[0]?.trim() ?? "";
      if (shortName !== "" && shortName.toLowerCase() !== "none" && !licenses.includes(shortName)) licenses.push(shortName);
    }
  }
  return { path: resolved, machineReadable, licenses };
}

/** Resolves symlinks of an in-image path against the image root, as a container would see it. Returns null when it does not exist. */
async function resolveInImage(root: string, imagePath: string): Promise<string | null> {
  let pending = imagePath.split("/").filter(Boolean);
  let resolved: string[] = [];
  for (let hops = 0; pending.length > 0; ) {
    const [component, ...rest] = pending;
    pending = rest;
    if (component === "." || component === undefined) continue;
    if (component === "..") {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, component];
    const stats = await lstat(path.join(root, ...candidate)).catch(() => null);
    if (stats === null) return null;
    if (!stats.isSymbolicLink()) {
      resolved = candidate;
      continue;
    }
    // Linux follows at most 40 links in one lookup.
    hops += 1;
    if (hops > 40) return null;
    const target = await readlink(path.join(root, ...candidate));
    if (target.startsWith("/")) resolved = [];
    pending = [...target.split("/").filter(Boolean), ...pending];
  }
  return `/${resolved.join("/")}`;
}

/** Reads the header block of Python core metadata; field names are lower-cased and the first value of each is kept. */
function readMetadataHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (match === null) continue;
    const field = (match[1] ?? "").toLowerCase();
    if (!headers.has(field)) headers.set(field, (match[2] ?? "").trim());
  }
  return headers;
}

/** RubyGems names a specification file after the gem's full name: `<name>-<version>[-<platform>].gemspec`. */
function gemFromFileName(fileName: string): { name: string; version: string } {
  const match = /^(.+)-(\d[^-]*)(?:-.+)?\.gemspec$/.exec(fileName);
  if (match === null) throw new Error(`Gem specification file name ${fileName} is not <name>-<version>.gemspec.`);
  return { name: match[1] ?? "", version: match[2] ?? "" };
}

/** Returns the Maven coordinates of every `pom.properties` in a jar. */
function readPomProperties(jar: Uint8Array): { name: string; version: string }[] {
  const entries = unzipSync(jar, { filter: (file) => file.name.endsWith("/pom.properties") });
  const coordinates: { name: string; version: string }[] = [];
  for (const bytes of Object.values(entries)) {
    const properties = new Map<string, string>();
    for (const line of new TextDecoder().decode(bytes).split(/\r?\n/)) {
      const match = /^\s*([^#!=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
      if (match !== null) properties.set(match[1] ?? "", (match[2] ?? "").trim());
    }
    coordinates.push({ name: `${properties.get("groupId") ?? ""}:${properties.get("artifactId") ?? ""}`, version: properties.get("version") ?? "" });
  }
  return coordinates;
}

/** Parses `mod`, `dep` and `=>` lines: tab-separated path, version and checksum, a replacement following what it replaces. */
function parseModuleLines(text: string): { mainModule: ExpectedGoModule | null; dependencies: ExpectedGoModule[] } {
  let mainModule: ExpectedGoModule | null = null;
  const dependencies: ExpectedGoModule[] = [];
  for (const line of text.split("\n")) {
    const [kind, modulePath, version] = line.split("\t");
    if (modulePath === undefined) continue;
    const goModule = { path: modulePath, version: version ?? "" };
    if (kind === "mod") mainModule = goModule;
    if (kind === "dep") dependencies.push(goModule);
    if (kind === "=>" && dependencies.length > 0) dependencies[dependencies.length - 1] = goModule;
  }
  return { mainModule, dependencies };
}

/**
 * Combines the per-layer snapshots: the final one lists what the image contains,
 * and each package's layer is the lowest from which every later snapshot has
 * it at the same version in the same file.
 */
function buildOracle(snapshots: Snapshot[]): RealImageOracle {
  const final = snapshots[snapshots.length - 1];
  if (final === undefined) throw new Error("The image has no layers.");

  const layerIndexOf = (keysPerSnapshot: Set<string>[], key: string) => {
    let index = keysPerSnapshot.length - 1;
    while (index > 0 && keysPerSnapshot[index - 1]?.has(key) === true) index -= 1;
    return index;
  };
  const withLayers = <T>(select: (snapshot: Snapshot) => T[], keyOf: (item: T) => string): (T & { layerIndex: number })[] => {
    const keys = snapshots.map((snapshot) => new Set(select(snapshot).map(keyOf)));
    return select(final).map((item) => ({ ...item, layerIndex: layerIndexOf(keys, keyOf(item)) }));
  };
  const fileKey = (item: { name: string; version: string; path: string }) => `${item.path}\u0000${item.name}\u0000${item.version}`;

  const removed: RemovedPackage[] = [];
  const collectRemoved = <T>(type: RemovedPackage["type"], select: (snapshot: Snapshot) => T[], keyOf: (item: T) => string, describe: (item: T) => Omit<RemovedPackage, "type">) => {
    const finalKeys = new Set(select(final).map(keyOf));
    const seen = new Set<string>();
    for (const snapshot of snapshots) {
      for (const item of select(snapshot)) {
        const key = keyOf(item);
        if (finalKeys.has(key) || seen.has(key)) continue;
        seen.add(key);
        removed.push({ type, ...describe(item) });
      }
    }
  };

  const dpkgKey = (item: { name: string; version: string; arch: string }) => `${item.name}\u0000${item.version}\u0000${item.arch}`;
  const goKey = (item: Omit<ExpectedGoBinary, "layerIndex">) => `${item.path}\u0000${JSON.stringify(item)}`;
  collectRemoved("deb", (snapshot) => snapshot.dpkg, dpkgKey, (item) => ({ name: item.name, version: item.version, path: "/var/lib/dpkg/status" }));
  collectRemoved("pypi", (snapshot) => snapshot.python, fileKey, (item) => item);
  collectRemoved("gem", (snapshot) => snapshot.gems, fileKey, (item) => item);
  collectRemoved("maven", (snapshot) => snapshot.maven, fileKey, (item) => item);
  collectRemoved("npm", (snapshot) => snapshot.npm, fileKey, (item) => item);
  collectRemoved("golang", (snapshot) => snapshot.go, goKey, (item) => ({ name: item.mainModule?.path ?? "stdlib", version: item.mainModule?.version ?? item.goVersion, path: item.path }));

  return {
    os: final.os,
    dpkg: withLayers((snapshot) => snapshot.dpkg, dpkgKey),
    python: withLayers((snapshot) => snapshot.python, fileKey),
    gems: withLayers((snapshot) => snapshot.gems, fileKey),
    maven: withLayers((snapshot) => snapshot.maven, fileKey),
    npm: withLayers((snapshot) => snapshot.npm, fileKey),
    go: withLayers((snapshot) => snapshot.go, goKey),
    removed,
  };
}

// ---------------------------------------------------------------------------
// Helpers

interface WalkedFile {
  hostPath: string;
  /** Absolute path inside the image. */
  imagePath: string;
}

/** Yields the regular files under `root`, without following symlinks. */
async function* walkRegularFiles(root: string): AsyncGenerator<WalkedFile> {
  const pending = ["/"];
  for (let directory = pending.pop(); directory !== undefined; directory = pending.pop()) {
    const entries = await readdir(path.join(root, directory), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const imagePath = path.posix.join(directory, entry.name);
      if (entry.isDirectory()) {
        pending.push(imagePath);
      } else if (entry.isFile()) {
        yield { hostPath: path.join(root, imagePath), imagePath };
      }
    }
  }
}

/** Splits deb822 text into paragraphs separated by blank lines, comment lines dropped. */
function splitParagraphs(text: string): string[][] {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (current.length > 0) paragraphs.push(current);
      current = [];
    } else if (!line.startsWith("#")) {
      current.push(line);
    }
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

/** Returns a paragraph's fields by lower-cased name, continuation lines joined with "\n". */
function parseParagraphFields(lines: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | null = null;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (last !== null) fields.set(last, `${fields.get(last) ?? ""}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    fields.set(last, line.slice(colon + 1).trim());
  }
  return fields;
}

async function checkBuildHost(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error("Building the real Debian image needs root, because debootstrap and umoci unpack create files owned by other users. Run the tests as root, as CI does.");
  }
  for (const tool of REQUIRED_TOOLS) {
    const found = await Promise.all(SYSTEM_PATH.split(":").map((directory) => exists(path.join(directory, tool.command), fsConstants.X_OK)));
    if (!found.includes(true)) {
      throw new Error(`${tool.command} is not installed; install the Debian package ${tool.debianPackage} (apt-get install ${BUILD_PACKAGES.join(" ")}).`);
    }
  }
  if (!(await exists(path.join(GO_SYS_SOURCES, "go.mod")))) {
    throw new Error(`${GO_SYS_SOURCES}/go.mod is missing; install the Debian package golang-golang-x-sys-dev (apt-get install ${BUILD_PACKAGES.join(" ")}).`);
  }
}

/** Renames a finished build into the cache. When another process finished first, its copy is kept and this one deleted. */
async function moveIntoCache(partial: string, directory: string): Promise<void> {
  try {
    await rename(partial, directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    await rm(partial, { recursive: true, force: true });
  }
}

/** Deletes the cache entries built from other inputs, so the cache keeps one rootfs and one image. Builds in progress are kept. */
async function removeOtherEntries(directory: string, keep: string): Promise<void> {
  for (const name of await readdir(directory)) {
    if (name !== keep && !name.startsWith(".partial-")) await rm(path.join(directory, name), { recursive: true, force: true });
  }
}

function hashInputs(inputs: unknown): string {
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
}

async function hashFile(file: string): Promise<string> {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}

async function exists(file: string, mode: number = fsConstants.F_OK): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

/** Characters of a failing command's stderr kept for its error message. */
const STDERR_TAIL_CHARS = 4000;

/** Runs a command with a clean environment and returns its stdout. Raises with the stderr tail when the command fails. */
function run(command: string, args: string[], options: { home?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  // A fresh object, so no variable of the test process (credentials, proxies, REGISTRY_*) reaches the tools.
  const env = {} as NodeJS.ProcessEnv;
  env.PATH = SYSTEM_PATH;
  env.LANG = "C.UTF-8";
  env.DEBIAN_FRONTEND = "noninteractive";
  env.HOME = options.home ?? "/root";
  Object.assign(env, options.env);

  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on("error", (error) => reject(new Error(`${command} could not be started: ${error.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString("utf8"));
        return;
      }
      const printedArgs = args.map((arg) => (arg.startsWith("--dest-creds=") ? "--dest-creds=[redacted]" : arg)).join(" ");
      reject(new Error(`${command} ${printedArgs} failed with ${code === null ? `signal ${signal}` : `exit code ${code}`}:\n${stderr.trim()}`));
    });
  });
}
