import { normalizeLayerPath, type LayerContents } from "@/lib/analysis/layer-reader";

/** Linux's limit on symbolic links followed in one path lookup (MAXSYMLINKS in the kernel). */
export const MAX_SYMLINK_HOPS = 40;

/**
 * Linux's limit on a path's length (PATH_MAX, 4096 bytes with the NUL), here
 * in UTF-16 code units. Longer paths and link targets cannot be opened in a
 * container, so the merge ignores them.
 */
export const MAX_PATH_LENGTH = 4096;

export interface ImageFile {
  content: Uint8Array;
  /** Digest of the layer the surviving copy came from. */
  layerDigest: string;
}

export interface ImageFileEntry {
  path: string;
  layerDigest: string;
}

/** The requested files of an image after all its layers are applied. */
export interface ImageFilesystem {
  /** Returns the file at `path`, following symlinks inside the image, or undefined when it is missing or a link loops. */
  get(path: string): ImageFile | undefined;
  /** Resolves every symlink along `path`; `..` at the root stays at the root. Returns null when links loop or the path grows past MAX_PATH_LENGTH. */
  resolve(path: string): string | null;
  /** Surviving requested files, sorted by path, with the layer each came from. */
  paths(): ImageFileEntry[];
}

interface MergedLink {
  target: string;
  layerDigest: string;
}

/**
 * Merges layers in order, lowest first, the way an overlay filesystem shows
 * them (OCI image spec, "Applying Changesets"). A whiteout deletes a path and
 * everything under it. An opaque directory hides what lower layers put below
 * it. A file or symlink replaces a lower directory of the same path. Entry
 * paths are placed through the symlinks of the layers below, as container
 * runtimes do when they unpack a layer.
 */
export function mergeLayers(layers: LayerContents[]): ImageFilesystem {
  const tree = new MergedTree();

  for (const layer of layers) {
    for (const directory of layer.opaqueDirectories) {
      if (isTooLong(directory)) continue;
      tree.removeBelow(tree.placePath(directory));
    }
    for (const path of layer.whiteouts) {
      if (!whiteoutNamesEntry(path) || isTooLong(path)) continue;
      const placed = tree.placePath(path);
      tree.remove(placed);
      tree.removeBelow(placed);
    }
    for (const [path, target] of layer.symlinks) {
      if (isRoot(path) || isTooLong(path) || isTooLong(target)) continue;
      const placed = tree.placePath(path);
      tree.removeBelow(placed);
      tree.remove(placed);
      tree.setLink(placed, { target, layerDigest: layer.digest });
      tree.addAncestors(placed);
    }
    for (const [path, content] of layer.files) {
      if (isRoot(path) || isTooLong(path)) continue;
      const placed = tree.placePath(path);
      tree.removeBelow(placed);
      tree.remove(placed);
      tree.files.set(placed, { content, layerDigest: layer.digest });
      tree.addAncestors(placed);
    }
  }

  return {
    get(path) {
      const resolved = tree.resolve(path);
      return resolved === null ? undefined : tree.files.get(resolved);
    },
    resolve(path) {
      return tree.resolve(path);
    },
    paths() {
      const entries = [...tree.files.entries()].map(([path, file]) => ({ path, layerDigest: file.layerDigest }));
      return entries.sort(compareByPath);
    },
  };
}

/** A change of a layer that the merge ignores, with the reason. */
export interface IgnoredChange {
  path: string;
  message: string;
}

/**
 * Lists the changes of a layer that the merge ignores:
 * - whiteouts named `.wh.`, `.wh..` or `.wh...`, whose name after the prefix
 *   ("", "." or "..") is the whiteout's own directory or its parent, so
 *   applied they would delete whole lower layers;
 * - files and symlinks at the root, whose path (an empty or `.` name in the
 *   tar) is the root directory, which no entry replaces;
 * - entries whose path, or symlinks whose target, is MAX_PATH_LENGTH or longer.
 */
export function ignoredChanges(layer: Pick<LayerContents, "whiteouts" | "opaqueDirectories" | "symlinks" | "files">): IgnoredChange[] {
  const ignored: IgnoredChange[] = [];
  for (const path of layer.whiteouts) {
    if (!whiteoutNamesEntry(path)) ignored.push({ path, message: "Whiteout names no file (its name after .wh. is empty, . or ..), so it was ignored." });
  }
  for (const path of [...layer.symlinks.keys(), ...layer.files.keys()]) {
    if (isRoot(path)) ignored.push({ path, message: "Entry replaces the image root directory, so it was ignored." });
  }
  for (const [path, target] of layer.symlinks) {
    if (target.length >= MAX_PATH_LENGTH) ignored.push({ path, message: `Symlink target is ${target.length} characters, over Linux's PATH_MAX of ${MAX_PATH_LENGTH}; the link was ignored.` });
  }
  for (const path of [...layer.opaqueDirectories, ...layer.whiteouts, ...layer.symlinks.keys(), ...layer.files.keys()]) {
    if (isTooLong(path)) ignored.push({ path: `${path.slice(0, 200)}…`, message: `Path is ${path.length} characters, over Linux's PATH_MAX of ${MAX_PATH_LENGTH}; the entry was ignored.` });
  }
  return ignored;
}

function whiteoutNamesEntry(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name !== "" && name !== "." && name !== "..";
}

function isRoot(path: string): boolean {
  return normalizeLayerPath(path) === "/";
}

function isTooLong(path: string): boolean {
  return path.length >= MAX_PATH_LENGTH;
}

/**
 * Files and symlinks by absolute path, with the children of each directory
 * that has entries below it, so that removing a directory's contents visits
 * only that subtree. Scanning every path instead made a layer that deletes
 * many directories quadratic: 20,000 whiteouts over as many symlinks took 14 s
 * on a two-core test machine.
 */
class MergedTree {
  readonly files = new Map<string, ImageFile>();
  readonly links = new Map<string, MergedLink>();
  /** Directory → its children that are entries or have entries below them. */
  private readonly children = new Map<string, Set<string>>();
  /**
   * Ids of the paths of links and their ancestors, keyed by `<parent id>/<name>`
   * with the root as 0, so a lookup while resolving hashes one name and not the
   * whole path. Hashing whole paths made resolving a deep path quadratic.
   */
  private readonly nodeIds = new Map<string, number>();
  private readonly linksByNode = new Map<number, MergedLink>();

  setLink(path: string, link: MergedLink): void {
    this.links.set(path, link);
    this.linksByNode.set(this.nodeId(path, true)!, link);
  }

  /** Returns the node id of `path`, creating the missing nodes when `create` is true, else undefined for a path no link lies on. */
  private nodeId(path: string, create: boolean): number | undefined {
    let id = 0;
    for (const name of splitPath(path)) {
      const key = `${id}/${name}`;
      let next = this.nodeIds.get(key);
      if (next === undefined) {
        if (!create) return undefined;
        next = this.nodeIds.size + 1;
        this.nodeIds.set(key, next);
      }
      id = next;
    }
    return id;
  }

  /** Returns where an entry for `path` lands: its parent directory resolved through the links so far. */
  placePath(path: string): string {
    const normalized = normalizeLayerPath(path) ?? "/";
    if (normalized === "/") return normalized;
    const slash = normalized.lastIndexOf("/");
    const parent = this.resolve(normalized.slice(0, slash) || "/");
    if (parent === null) return normalized;
    const baseName = normalized.slice(slash + 1);
    return parent === "/" ? `/${baseName}` : `${parent}/${baseName}`;
  }

  resolve(path: string): string | null {
    // Components still to walk, the next one last, so that taking it is a pop.
    const pending = splitPath(path).reverse();
    // The resolved components, each with its node id, undefined below a directory no link lies in.
    let components: string[] = [];
    let nodes: (number | undefined)[] = [];
    let length = 0;
    let hops = 0;

    for (let component = pending.pop(); component !== undefined; component = pending.pop()) {
      if (component === ".") continue;
      if (component === "..") {
        // The image root is its own parent, so a link cannot lead out of the image.
        const removed = components.pop();
        nodes.pop();
        if (removed !== undefined) length -= removed.length + 1;
        continue;
      }

      const parent = nodes.length === 0 ? 0 : nodes[nodes.length - 1];
      const node = parent === undefined ? undefined : this.nodeIds.get(`${parent}/${component}`);
      const link = node === undefined ? undefined : this.linksByNode.get(node);
      if (link === undefined) {
        length += component.length + 1;
        // Linux fails such a lookup with ENAMETOOLONG.
        if (length >= MAX_PATH_LENGTH) return null;
        components.push(component);
        nodes.push(node);
        continue;
      }

      hops += 1;
      if (hops > MAX_SYMLINK_HOPS) return null;
      if (link.target.startsWith("/")) {
        components = [];
        nodes = [];
        length = 0;
      }
      pending.push(...splitPath(link.target).reverse());
    }
    return `/${components.join("/")}`;
  }

  remove(path: string): void {
    if (this.files.delete(path) || this.deleteLink(path)) {
      this.removeAncestors(path);
    }
  }

  private deleteLink(path: string): boolean {
    if (!this.links.delete(path)) return false;
    const node = this.nodeId(path, false);
    if (node !== undefined) this.linksByNode.delete(node);
    return true;
  }

  removeBelow(directory: string): void {
    const below: string[] = [];
    const pending = [...(this.children.get(directory) ?? [])];
    for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
      below.push(path);
      pending.push(...(this.children.get(path) ?? []));
    }
    for (const path of below) this.remove(path);
  }

  /** Links a new entry into the child sets of its ancestors, up to the first ancestor already linked. */
  addAncestors(path: string): void {
    for (let child = path; child !== "/"; ) {
      const parent = parentOf(child);
      const parentLinked = this.isPresent(parent);
      const siblings = this.children.get(parent) ?? new Set<string>();
      siblings.add(child);
      this.children.set(parent, siblings);
      if (parentLinked) return;
      child = parent;
    }
  }

  /** Unlinks a removed entry, and each ancestor left with no entry below it that is not an entry itself. */
  private removeAncestors(path: string): void {
    for (let child = path; child !== "/" && !this.isPresent(child); ) {
      const parent = parentOf(child);
      const siblings = this.children.get(parent);
      siblings?.delete(child);
      if (siblings?.size === 0) this.children.delete(parent);
      child = parent;
    }
  }

  /** Whether the path is a file, a symlink or a directory with entries below it. */
  private isPresent(path: string): boolean {
    return path === "/" || this.files.has(path) || this.links.has(path) || this.children.has(path);
  }
}

/** Orders by code unit, so the order does not depend on the locale. */
function compareByPath(a: ImageFileEntry, b: ImageFileEntry): number {
  if (a.path === b.path) return 0;
  return a.path < b.path ? -1 : 1;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((component) => component !== "");
}

/** `/a/b` → `/a`, `/a` → `/`. */
function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}
