import { createHash } from 'node:crypto';

/** Stable pseudo-random hex for ids derived from scenario content. */
export function stableHex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) {
    out += createHash('sha256').update(`${seed}#${i}`).digest('hex');
  }
  return out.slice(0, length);
}
