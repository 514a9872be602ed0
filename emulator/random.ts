/**
 * A small seeded random source, so emulator ids and injected faults repeat from run to run: a test that
 * saw a 503 on the third call sees it there again.
 */

/** A deterministic stream of numbers in [0, 1), with the helpers the emulator needs. */
export interface Random {
  /** The next number in [0, 1). */
  next(): number;
  /** True with probability `p` (0 never draws, so a disabled fault does not shift the stream). */
  chance(p: number): boolean;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** `length` characters of lowercase letters and digits, the shape of API Gateway ids. */
  id(length: number): string;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * mulberry32: 32 bits of state, good enough spread for ids and coin flips, and nothing to install.
 * @example createRandom(7).id(10) // the same 10-character id on every run
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    chance: (p) => p > 0 && next() < p,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    id: (length) => {
      let out = "";
      for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
      return out;
    },
  };
}
