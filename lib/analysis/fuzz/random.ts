/**
 * A small seeded pseudo-random generator (mulberry32), so every generated
 * fuzz case is reproduced from its seed, its input class and its index.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, max). */
  int(max: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): Uint8Array;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick: (items) => {
      if (items.length === 0) throw new Error("pick needs at least one item");
      return items[int(items.length)]!;
    },
    bytes: (length) => Uint8Array.from({ length }, () => int(256)),
  };
}

/** Derives the seed of one case from the run's seed, the input class and the case index (FNV-1a). */
export function caseSeed(runSeed: number, inputClass: string, index: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${runSeed}/${inputClass}/${index}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
