/**
 * ECR lifecycle policies, evaluated as a pure function: (policy, images, now) → which images expire and
 * by which rule. Pure: no clock, no store; the caller passes `now` and applies the result.
 *
 * ECR's evaluation rules (docs "Lifecycle policy evaluation rules"), which this follows:
 *  - Rules run in ascending `rulePriority`. An image is expired by at most one rule.
 *  - An image that matches the tag selection of a higher-priority rule cannot be expired by a lower one,
 *    but lower rules still count it (for imageCountMoreThan) as if it had not been expired.
 *  - tagStatus: tagged (needs tagPrefixList or tagPatternList; an image matches when every listed prefix
 *    /pattern matches one of its tags), untagged, any. A rule with tagStatus any must have the lowest
 *    priority (highest number); only one rule may select untagged images.
 *  - countType imageCountMoreThan N: keep the N most recently pushed of the selected images, expire the
 *    rest. sinceImagePushed N days: expire selected images pushed more than N days before now.
 */
export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' };
}

export interface LifecyclePolicy { rules: LifecycleRule[] }

export interface LifecycleImage { digest: string; tags: string[]; pushedAt: number }

export interface Expiry { digest: string; tags: string[]; pushedAt: number; rule: LifecycleRule }

export class LifecyclePolicyError extends Error {}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Parses and checks a policy text; throws LifecyclePolicyError with a message for the user. */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let doc: unknown;
  try { doc = JSON.parse(text); } catch { throw new LifecyclePolicyError('Lifecycle policy is not valid JSON.'); }
  const rules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rules) || rules.length === 0) throw new LifecyclePolicyError("Lifecycle policy needs a non-empty 'rules' array.");
  const seen = new Set<number>();
  let untagged = 0;
  const out: LifecycleRule[] = [];
  for (const r of rules as LifecycleRule[]) {
    const p = r?.rulePriority;
    if (!Number.isInteger(p) || p < 1) throw new LifecyclePolicyError('rulePriority must be a positive integer.');
    if (seen.has(p)) throw new LifecyclePolicyError(`rulePriority ${p} is used twice; priorities must be unique.`);
    seen.add(p);
    const s = r.selection;
    if (!s || !['tagged', 'untagged', 'any'].includes(s.tagStatus)) throw new LifecyclePolicyError(`rule ${p}: selection.tagStatus must be tagged, untagged or any.`);
    if (s.tagStatus === 'tagged' && !(s.tagPrefixList?.length || s.tagPatternList?.length)) throw new LifecyclePolicyError(`rule ${p}: tagStatus tagged needs tagPrefixList or tagPatternList.`);
    if (s.tagStatus !== 'tagged' && (s.tagPrefixList?.length || s.tagPatternList?.length)) throw new LifecyclePolicyError(`rule ${p}: tag lists are only allowed with tagStatus tagged.`);
    if (s.tagStatus === 'untagged' && ++untagged > 1) throw new LifecyclePolicyError('Only one rule may select untagged images.');
    if (s.countType !== 'imageCountMoreThan' && s.countType !== 'sinceImagePushed') throw new LifecyclePolicyError(`rule ${p}: countType must be imageCountMoreThan or sinceImagePushed.`);
    if (s.countType === 'sinceImagePushed' && s.countUnit !== 'days') throw new LifecyclePolicyError(`rule ${p}: sinceImagePushed needs countUnit days.`);
    if (s.countType === 'imageCountMoreThan' && s.countUnit !== undefined) throw new LifecyclePolicyError(`rule ${p}: imageCountMoreThan takes no countUnit.`);
    if (!Number.isInteger(s.countNumber) || s.countNumber < 1) throw new LifecyclePolicyError(`rule ${p}: countNumber must be a positive integer.`);
    if (r.action?.type !== 'expire') throw new LifecyclePolicyError(`rule ${p}: action.type must be expire.`);
    out.push(r);
  }
  out.sort((a, b) => a.rulePriority - b.rulePriority);
  const any = out.findIndex((r) => r.selection.tagStatus === 'any');
  if (any >= 0 && any !== out.length - 1) throw new LifecyclePolicyError("A rule with tagStatus 'any' must have the highest rulePriority number.");
  return { rules: out };
}

const wildcard = (pattern: string) => new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');

function selects(rule: LifecycleRule, img: LifecycleImage): boolean {
  const s = rule.selection;
  if (s.tagStatus === 'untagged') return img.tags.length === 0;
  if (s.tagStatus === 'any') return true;
  if (img.tags.length === 0) return false;
  const prefixes = s.tagPrefixList ?? [];
  const patterns = (s.tagPatternList ?? []).map(wildcard);
  return prefixes.every((p) => img.tags.some((t) => t.startsWith(p))) && patterns.every((re) => img.tags.some((t) => re.test(t)));
}

export function evaluateLifecycle(policy: LifecyclePolicy, images: readonly LifecycleImage[], now: Date): Expiry[] {
  const expired = new Map<string, Expiry>();
  const claimed = new Set<string>();
  for (const rule of policy.rules) {
    // Newest first; ties broken by digest so the result does not depend on listing order.
    const selected = images.filter((i) => selects(rule, i)).sort((a, b) => b.pushedAt - a.pushedAt || a.digest.localeCompare(b.digest));
    const s = rule.selection;
    const candidates = s.countType === 'imageCountMoreThan'
      ? selected.slice(s.countNumber)
      : selected.filter((i) => i.pushedAt < now.getTime() - s.countNumber * DAY_MS);
    for (const img of candidates) {
      if (claimed.has(img.digest) || expired.has(img.digest)) continue;
      expired.set(img.digest, { digest: img.digest, tags: img.tags, pushedAt: img.pushedAt, rule });
    }
    for (const img of selected) claimed.add(img.digest);
  }
  return [...expired.values()];
}
