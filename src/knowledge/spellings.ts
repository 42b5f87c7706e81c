/**
 * Place names spelled in pinyin at ingest ("沭阳县" → "shuyang"), so that an English question naming a place reaches
 * its documents whatever characters the name uses. The spellings are stored in the index: pinyin-pro's dictionary
 * costs about 200 ms to load, which a start that opens a built index must not pay.
 */
import { createRequire } from 'node:module';
import { shortPlace } from '../nlu/glossary.ts';

type Pinyin = (text: string, options: { toneType: 'none'; type: 'array'; v?: boolean }) => string[];

let pinyin: Pinyin | undefined;

/** pinyin-pro, loaded on first use (only ingest spells). */
function pinyinOf(text: string): string[] {
  pinyin ??= (createRequire(import.meta.url)('pinyin-pro') as { pinyin: Pinyin }).pinyin;
  return pinyin(text, { toneType: 'none', type: 'array' });
}

/** A place's short name in lower-case pinyin, or undefined when it is not all Han characters or is one character. */
export function spellPlace(full: string): string | undefined {
  const short = shortPlace(full);
  const chars = [...short];
  if (chars.length < 2 || !chars.every((c) => /\p{Script=Han}/u.test(c))) return undefined;
  // ü has no key on most keyboards: 吕梁 is written "Lvliang" or "Lüliang" by users and "Luliang" in most English text.
  const spelled = pinyinOf(short).map((s) => s.toLowerCase().replace(/ü/g, 'u'));
  return spelled.length === chars.length && spelled.every((s) => /^[a-z]+$/.test(s)) ? spelled.join('') : undefined;
}

/** The spelling of every name given (full name → short name's pinyin), leaving out names that cannot be spelled. */
export function spellPlaces(names: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    if (n in out) continue;
    const s = spellPlace(n);
    if (s) out[n] = s;
  }
  return out;
}
