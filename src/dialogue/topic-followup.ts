/**
 * Reads a message against the chat's topic and rewrites it into a question that stands alone: a follow-up that drops
 * the subject gets the topic's subject in front ("公示几天" → "开平优秀奖公示几天"); "X呢" / "what about X" and
 * corrections ("不是汕头，我问的是中山") ask the topic's question again with the part X names replaced (place, award or
 * item); a message that names a subject of its own stands alone. The words it reads are the glossary's
 * (`conversation`, `questionWords`); the places, awards and titles are the loaded documents'.
 *
 * This is the one place that turns context into a question; when the answerer exposes its question frame, the same
 * decisions can merge frames instead of rewriting text.
 */
import type { Citation } from '../core/types.ts';
import { answerFrame, answerQuestion, understand, withContext, type FramedAnswer, type Knowledge } from '../knowledge/answer.ts';
import { shortPlace } from '../knowledge/glossary.ts';
import { boundedWhole, type Topic, type TopicUse } from './topic.ts';

/** A message read against the topic. */
export interface Resolution {
  /** The question to answer, standing alone. */
  question: string;
  /** How the topic was used. */
  use: TopicUse;
  /** The subject the question keeps, when it continues the topic. */
  subject?: string;
  /** For a follow-up that drops the subject: its own words, whose frame is merged with the topic's. */
  own?: string;
}

/** A place, award or title named somewhere in a text. */
interface Span {
  at: number;
  end: number;
}

/** The conversation words, with empty lists when the glossary has none. */
function conversationWords(k: Knowledge) {
  const c = k.glossary.conversation;
  return {
    leads: [...(c?.leads ?? [])].sort((a, b) => b.length - a.length),
    whatAbout: [...(c?.whatAbout ?? [])].sort((a, b) => b.length - a.length),
    tails: [...(c?.tails ?? [])].sort((a, b) => b.length - a.length),
    negations: c?.negations ?? [],
    corrections: [...(c?.corrections ?? [])].sort((a, b) => b.length - a.length),
    references: c?.references ?? [],
    asking: c?.asking ?? [],
    meaning: c?.meaning ?? [],
  };
}

const PUNCT = /^[\s，。？！?!,.、:：;；~～]+|[\s，。？！?!,.、:：;；~～]+$/g;
const trimPunct = (s: string) => s.replace(PUNCT, '');
const latin = (w: string) => /^[a-z ,]+$/i.test(w);

/** Whether `text` (lower-cased) holds the word: Latin words as whole words, Chinese ones anywhere. */
function holds(text: string, word: string): boolean {
  const w = word.toLowerCase();
  if (!latin(w.trim())) return text.includes(w);
  const t = w.trim();
  return new RegExp(`(^|[^a-z])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z]|$)`).test(text);
}

/** Reads messages against topics for one knowledge base. */
export class TopicResolver {
  private readonly words: ReturnType<typeof conversationWords>;
  /** Every way a region is written (full name, short name, towns, English), longest first. */
  private readonly placeNames: [string, string][] = [];
  /** Award names of the loaded documents and the tails (three characters or more) that name them. */
  private readonly awardNames: [string, string][] = [];
  private readonly asking: string[];

  constructor(private readonly k: Knowledge) {
    this.words = conversationWords(k);
    for (const d of k.documents) {
      if (!d.region) continue;
      for (const a of [d.region, shortPlace(d.region), ...d.aliases]) this.placeNames.push([a, d.region]);
    }
    // English names: the gazetteer's, and the pinyin of the loaded places (see knowledge/places.ts).
    for (const [en, zh] of k.places.spellings) this.placeNames.push([en, zh]);
    this.placeNames.sort((a, b) => b[0].length - a[0].length);
    for (const d of k.documents) {
      for (const a of d.awards) for (let i = 0; i + 3 <= a.length; i++) this.awardNames.push([a.slice(i), a]);
    }
    for (const [w, syn] of Object.entries(k.glossary.synonyms)) {
      const award = syn.map((s) => this.awardNames.find(([t]) => t === s)?.[1]).find(Boolean);
      if (award && w.length >= 3) this.awardNames.push([w.toLowerCase(), award]);
    }
    this.awardNames.sort((a, b) => b[0].length - a[0].length);
    this.asking = [...Object.values(k.glossary.questionWords).flat(), ...this.words.asking]
      .map((w) => w.toLowerCase())
      .filter((w) => w.trim().length > 0);
  }

  /** Whether a message asks something: a question mark or one of the glossary's question words. */
  asks(text: string): boolean {
    const t = text.toLowerCase();
    return /[?？]/.test(t) || this.asking.some((w) => holds(t, w));
  }

  /** Whether a message asks for a fact (a when, how much, who… word), not only yes or no. */
  asksFor(text: string): boolean {
    const t = text.toLowerCase();
    const { yesno: _yesno, ...content } = this.k.glossary.questionWords;
    return Object.values(content).flat().some((w) => w.trim() && holds(t, w));
  }

  /** Whether a message asks what the current thing means ("什么意思"). */
  asksMeaning(text: string): boolean {
    const t = trimPunct(this.stripLeads(text.toLowerCase()));
    return this.words.meaning.some((w) => holds(t, w)) && [...t].length <= 12;
  }

  /** The place a text names: the corpus region (or the place as written, when no document comes from it) and where. */
  placeIn(text: string): { region: string; covered: boolean; span?: Span } | undefined {
    const t = text.toLowerCase();
    const m = this.k.places.match(text);
    if (m.covered.length) {
      const region = m.covered[0];
      const named = this.placeNames.find(([n, r]) => r === region && holds(t, n));
      const at = named ? t.indexOf(named[0]) : -1;
      return { region, covered: true, span: at >= 0 ? { at, end: at + named![0].length } : undefined };
    }
    if (m.uncovered.length) {
      const at = text.indexOf(m.uncovered[0]);
      return { region: m.uncovered[0], covered: false, span: at >= 0 ? { at, end: at + m.uncovered[0].length } : undefined };
    }
    return undefined;
  }

  /** The award a text names (by any tail of its name of three characters or more, or a glossary word for it). */
  awardIn(text: string): { award: string; span: Span } | undefined {
    const t = text.toLowerCase();
    for (const [n, award] of this.awardNames) {
      const at = t.indexOf(n);
      if (at >= 0 && (!latin(n) || holds(t, n))) return { award, span: { at, end: at + n.length } };
    }
    return undefined;
  }

  /** The shortest tail of an award's name (three characters or more) that names no other award: "优秀奖". */
  shortAward(award: string): string {
    const others = this.k.documents.flatMap((d) => d.awards).filter((a) => a !== award);
    for (let i = award.length - 3; i >= 0; i--) {
      const tail = award.slice(i);
      if (!others.some((o) => o.endsWith(tail))) return tail;
    }
    return award;
  }

  /** Whether a message names a subject of its own: a place, or an award. */
  namesSubject(text: string): boolean {
    return Boolean(this.placeIn(text) || this.awardIn(text));
  }

  /** The message without the words that lead a follow-up ("那", "还有", "and"), unless they begin a reference ("那个"). */
  private stripLeads(text: string): string {
    let t = trimPunct(text);
    for (let changed = true; changed; ) {
      changed = false;
      const lower = t.toLowerCase();
      if (this.words.references.some((r) => !latin(r) && r.length > 1 && lower.startsWith(r))) break;
      for (const w of this.words.leads) {
        const lw = w.toLowerCase();
        if (lower.startsWith(lw) && (!latin(lw) || !/[a-z]/i.test(t[lw.length] ?? ''))) {
          t = trimPunct(t.slice(lw.length));
          changed = t.length > 0;
          break;
        }
      }
    }
    return t;
  }

  /** The Chinese characters of a text that are not question words. */
  private contentOf(text: string): string {
    let t = text.toLowerCase();
    for (const w of [...this.asking].sort((a, b) => b.length - a.length)) if (!latin(w.trim())) t = t.split(w).join('');
    return t.replace(/[^\u4e00-\u9fff]/g, '');
  }

  /** What the topic's question was about besides its subject: its words that are neither place, title nor question. */
  private matterOf(topic: Topic): string {
    const titles = this.k.documents.filter((d) => topic.docs.includes(d.id)).flatMap((d) => [d.title, ...d.awards]);
    let q = topic.q;
    const place = this.placeIn(q);
    if (place?.span) q = q.slice(0, place.span.at) + ' ' + q.slice(place.span.end);
    const award = this.awardIn(q);
    if (award) q = q.slice(0, award.span.at) + ' ' + q.slice(award.span.end);
    let out = '';
    for (let i = 0; i < q.length; ) {
      let len = 0;
      for (let l = Math.min(20, q.length - i); l >= 3; l--) {
        if (titles.some((t) => t.includes(q.slice(i, i + l)))) {
          len = l;
          break;
        }
      }
      if (len) i += len;
      else out += q[i++];
    }
    let m = out.toLowerCase();
    for (const w of [...this.asking].sort((a, b) => b.length - a.length)) if (!latin(w.trim())) m = m.split(w).join(' ');
    const words = m.split(/[^\u4e00-\u9fff]+/).filter((w) => w.length >= 2);
    return words.sort((a, b) => b.length - a.length)[0] ?? '';
  }

  /** A follow-up without the word that points back at the topic ("这钱谁出的" → "钱谁出的"): the subject stands in for it. */
  private withoutReference(text: string): string {
    const lower = text.toLowerCase();
    const ref = [...this.words.references].sort((a, b) => b.length - a.length).find((r) => !latin(r) && lower.startsWith(r));
    const rest = ref ? trimPunct(text.slice(ref.length)) : text;
    return [...rest].length >= 2 ? rest : text;
  }

  /** "X呢", "what about X", "换成X": the X, or undefined when the message is not of that shape. */
  private whatAbout(text: string): string | undefined {
    let t = this.stripLeads(text);
    let marked = false;
    for (const w of this.words.whatAbout) {
      if (t.toLowerCase().startsWith(w.toLowerCase())) {
        t = trimPunct(t.slice(w.length));
        marked = true;
        break;
      }
    }
    for (const w of this.words.tails) {
      if (t.toLowerCase().endsWith(w.toLowerCase()) && t.length > w.length) {
        t = trimPunct(t.slice(0, t.length - w.length));
        marked = true;
        break;
      }
    }
    return marked && t && [...t].length <= 16 ? t : undefined;
  }

  /** "不是汕头，我问的是中山", "我是说环境管理体系": what was meant, and what it replaces (when said). */
  private correction(text: string): { meant: string; not?: string } | undefined {
    const t = trimPunct(text);
    const lower = t.toLowerCase();
    let cut = -1;
    let len = 0;
    for (const w of this.words.corrections) {
      const at = lower.lastIndexOf(w.toLowerCase());
      if (at >= 0 && at + w.length > cut + len) {
        cut = at;
        len = w.length;
      }
    }
    let meant: string | undefined;
    let before = '';
    if (cut >= 0) {
      meant = trimPunct(t.slice(cut + len));
      before = t.slice(0, cut);
    } else {
      // "不是汕头，中山": a negation, then what was meant after a comma.
      const neg = this.words.negations.find((w) => lower.startsWith(w.toLowerCase()));
      const parts = t.split(/[，,;；]/);
      if (!neg || parts.length !== 2) return undefined;
      before = parts[0];
      meant = trimPunct(parts[1]);
    }
    if (!meant) return undefined;
    let not: string | undefined;
    for (const w of this.words.negations) {
      const at = before.toLowerCase().indexOf(w.toLowerCase());
      if (at >= 0) {
        not = trimPunct(before.slice(at + w.length)).replace(/^(说|问)/, '');
        break;
      }
    }
    return { meant: trimPunct(this.stripLeads(meant)), not: not || undefined };
  }

  /** Where the subject of a question ends: after the last place, award or title word before what is asked. */
  subjectOf(q: string, docIds: readonly string[]): string {
    // An award is named the shortest way that is still its own, after its place ("开平水暖卫浴优秀奖" → "开平优秀奖").
    const named = this.awardIn(q);
    if (named) {
      const region = this.placeIn(q)?.region ?? this.k.documents.find((d) => d.awards.includes(named.award))?.region;
      return `${region ? shortPlace(region) : ''}${this.shortAward(named.award)}`;
    }
    // A document is named by its place, and by the words of its title that no other document of that place shares.
    const region = this.placeIn(q)?.region ?? this.k.documents.find((d) => d.id === docIds[0])?.region;
    const others = this.k.documents.filter((d) => d.region === region && !docIds.includes(d.id)).map((d) => d.title);
    if (region && !others.length) return shortPlace(region);
    const titles = this.k.documents.filter((d) => docIds.includes(d.id)).flatMap((d) => [d.title, ...d.awards]);
    const lower = q.toLowerCase();
    const firstAsk = Math.min(...this.asking.map((w) => lower.indexOf(w)).filter((i) => i >= 0), q.length);
    let end = 0;
    const place = this.placeIn(q);
    if (place?.span && place.span.at < firstAsk) end = Math.max(end, place.span.end);
    const award = this.awardIn(q);
    if (award && award.span.at < firstAsk) end = Math.max(end, award.span.end);
    for (let i = 0; i < firstAsk; ) {
      let len = 0;
      for (let l = Math.min(12, firstAsk - i); l >= 2; l--) {
        const piece = q.slice(i, i + l);
        if (/^[\u4e00-\u9fff]+$/.test(piece) && titles.some((t) => t.includes(piece)) && !others.some((t) => t.includes(piece))) {
          len = l;
          break;
        }
      }
      if (len) {
        end = Math.max(end, i + len);
        i += len;
      } else i++;
    }
    return trimPunct(q.slice(0, end));
  }

  /** Reads a message against the topic (or none) and gives the question to answer, and the subject it keeps. */
  resolve(text: string, topic: Topic | undefined): Resolution {
    if (!topic) return { question: text, use: 'new' };
    const corr = this.correction(text);
    if (corr) {
      // "说错了，我想问获奖以后有效期多久": what was meant is a question of its own about the topic's subject.
      if (!this.namesSubject(corr.meant) && this.asks(corr.meant) && !this.asking.includes(corr.meant.toLowerCase())) {
        return { question: `${topic.subject}${/^[a-z]/i.test(corr.meant) ? ' ' : ''}${corr.meant}`, use: 'correction', subject: topic.subject };
      }
      return { ...this.replace(topic, corr.meant, corr.not), use: 'correction' };
    }
    const x = this.whatAbout(text);
    if (x && (this.namesSubject(x) || !this.asks(x) || this.asking.includes(x.toLowerCase()))) {
      return { ...this.replace(topic, x), use: 'what-about' };
    }
    if (this.namesSubject(text)) return { question: text, use: 'own-subject' };
    const rest = this.withoutReference(x ?? this.stripLeads(text));
    if (!topic.subject || !rest || !this.asks(rest)) return { question: text, use: 'new' };
    // A follow-up that names nothing but what it asks ("这个谁牵头", "具体要干啥") asks about the topic's matter too.
    const matter = this.contentOf(rest).length <= 3 ? this.matterOf(topic) : '';
    const sep = /^[a-z]/i.test(rest) ? ' ' : '';
    return { question: `${topic.subject}${matter}${sep}${rest}`, use: 'follow-up', subject: topic.subject, own: rest };
  }

  /** The place and award that `x` names, put in place of the ones in `s` (or in front of it); and what is left of x. */
  private swap(s: string, x: string): { text: string; rest: string } {
    let text = s;
    let rest = x;
    const place = this.placeIn(rest);
    if (place) {
      const name = place.covered ? shortPlace(place.region) : place.region;
      const old = this.placeIn(text);
      if (old?.span) {
        const after = text.slice(old.span.end);
        // "中山省名牌产品" → "四川的省名牌产品": the new name must not run into the words after it ("四川省").
        const runsOn = (this.placeIn(name + after)?.span?.end ?? name.length) > name.length;
        text = text.slice(0, old.span.at) + name + (runsOn ? '的' : '') + after;
      } else text = `${name}${text}`;
      if (place.span) rest = rest.slice(0, place.span.at) + rest.slice(place.span.end);
    }
    const award = this.awardIn(rest);
    if (award) {
      const name = rest.slice(award.span.at, award.span.end);
      const old = this.awardIn(text);
      text = old ? text.slice(0, old.span.at) + name + text.slice(old.span.end) : `${name}${text}`;
      rest = rest.slice(0, award.span.at) + rest.slice(award.span.end);
    }
    return { text, rest: trimPunct(rest.replace(/^的|的$/g, '')) };
  }

  /** The topic's question with the place, award or item that `x` names put in its place, and the subject it keeps. */
  private replace(topic: Topic, x: string, not?: string): { question: string; subject: string } {
    const { text: swapped, rest } = this.swap(topic.q, x);
    const q = this.placeIn(x)?.region !== topic.place ? this.withoutTitleOf(swapped, topic.docs, this.placeIn(x)?.region) : swapped;
    const subject = this.swap(topic.subject, x).text;
    if (!rest) return { question: q, subject };
    if (not && q.includes(not)) return { question: q.replace(not, rest), subject };
    const item = this.replaceItem(q, rest);
    if (item) return { question: item, subject: this.subjectOf(item, topic.docs) || subject };
    // Nothing in the question ends like the item: ask the same thing (its question word) of the item.
    const lower = q.toLowerCase();
    const asked = this.asking.filter((w) => lower.includes(w) && lower.indexOf(w) >= subject.length).sort((a, b) => b.length - a.length)[0];
    const tail = asked && !this.asks(rest) && /^[\u4e00-\u9fff]/.test(asked) ? asked : '';
    const sep = /^[a-z]/i.test(rest) ? ' ' : '';
    return { question: `${subject}${sep}${rest}${tail}`, subject };
  }

  /** The question without the words of the old documents' titles that no document of the new place shares ("2013年…行动计划"). */
  private withoutTitleOf(q: string, oldDocs: readonly string[], region: string | undefined): string {
    const old = this.k.documents.filter((d) => oldDocs.includes(d.id)).map((d) => d.title);
    const fresh = this.k.documents.filter((d) => d.region === region).map((d) => d.title);
    let out = '';
    for (let i = 0; i < q.length; ) {
      let len = 0;
      for (let l = Math.min(20, q.length - i); l >= 4; l--) {
        const piece = q.slice(i, i + l);
        if (old.some((t) => t.includes(piece)) && !fresh.some((t) => t.includes(piece)) && !this.placeIn(piece)) {
          len = l;
          break;
        }
      }
      if (len) i += len;
      else out += q[i++];
    }
    return out.replace(/^的/, '') || q;
  }

  /** Replaces the part of `q` that ends like `item` ("质量管理体系" for "环境管理体系"); undefined when none does. */
  private replaceItem(q: string, item: string): string | undefined {
    // A two-character item may differ in its first character only ("市级" for "省级").
    for (let l = Math.min(item.length, q.length); l >= (item.length === 2 ? 1 : 2); l--) {
      const tail = item.slice(-l);
      if (this.asking.includes(tail.toLowerCase())) continue;
      const at = q.lastIndexOf(tail);
      if (at < 0) continue;
      const start = Math.max(0, at - (item.length - l));
      // The replaced head must be text of the same kind (no punctuation, no place or award name).
      const head = q.slice(start, at);
      if (/[\s，。？！?!,.、]/.test(head) || this.placeIn(head) || this.awardIn(head)) continue;
      return q.slice(0, start) + item + q.slice(at + l);
    }
    return undefined;
  }

  /**
   * Answers a message as resolved. A follow-up that drops the subject is answered as a frame: the frame of the question
   * with the topic's subject in front, merged with the topic's frame (the places, awards and documents it does not name
   * come from the topic; the topic's terms add no weight: measured on eval/dialogues.jsonl, carrying them at half
   * weight pulled "那公示几天" back to the topic's money clause, 137/162 against 144/162). Any other message is
   * answered as the question it was rewritten to.
   */
  answer(r: Resolution, topic: Topic | undefined, now: Date): FramedAnswer {
    if (r.use === 'follow-up' && topic?.frame) {
      return answerFrame(this.k, withContext(understand(this.k, r.question), topic.frame, 0), now);
    }
    return answerQuestion(this.k, r.question, now);
  }

  /** The topic an answer leaves behind, or undefined when it is about nothing in particular. */
  topicOf(question: string, a: FramedAnswer, now: Date, subject?: string): Topic | undefined {
    const docs = [...new Set(a.citations.map((c) => this.docIdOf(c)).filter((d): d is string => Boolean(d)))];
    const place = this.placeIn(question);
    const award = this.awardIn(question);
    if (!docs.length && !place && !award) return undefined;
    const region = place?.region ?? this.k.documents.find((d) => d.id === docs[0])?.region;
    const whole = a.citations.length ? a.citations.map((c) => `《${c.title}》${c.article}全文：\n${c.quote}`).join('\n\n') : undefined;
    return {
      q: question,
      subject: subject ?? this.subjectOf(question, docs),
      docs,
      ...(award ? { award: award.award } : {}),
      ...(region ? { place: region } : {}),
      at: now.toISOString(),
      ...(a.frame ? { frame: a.frame } : {}),
      ...(whole ? { whole: boundedWhole(whole) } : {}),
    };
  }

  /** The document a citation quotes. */
  private docIdOf(c: Citation): string | undefined {
    return this.k.documents.find((d) => d.title === c.title)?.id;
  }
}
