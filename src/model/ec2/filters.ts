/**
 * EC2's Describe* filters (pure): `Filter.N.Name` / `Filter.N.Value.M`. A resource matches when every
 * filter matches (AND) and, within one filter, any value matches (OR). Values may use `*` (any run) and
 * `?` (one character), as EC2's do. `tag:<key>`, `tag-key` and `tag-value` work on every resource; a
 * filter name the resource does not know is refused, as EC2 refuses it.
 */
import type { Ec2Tag } from './records.js';

export interface Ec2Filter { Name?: string; Values?: string[] }

export class FilterError extends Error {}

const patterns = new Map<string, RegExp>();
function patternOf(v: string): RegExp {
  let re = patterns.get(v);
  if (!re) {
    const body = v.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 's');
    if (patterns.size > 1000) patterns.clear();
    patterns.set(v, re);
  }
  return re;
}

/**
 * `fields` maps each filter name the resource supports to its values (several for list-valued fields,
 * e.g. a security group's `ip-permission.cidr`). Throws FilterError for an unknown filter name.
 */
export function matchesFilters(filters: readonly Ec2Filter[] | undefined, fields: Readonly<Record<string, readonly (string | undefined)[]>>, tags: readonly Ec2Tag[]): boolean {
  for (const f of filters ?? []) {
    const name = f.Name ?? '';
    let have: readonly (string | undefined)[];
    if (name.startsWith('tag:')) have = tags.filter((t) => t.Key === name.slice(4)).map((t) => t.Value);
    else if (name === 'tag-key') have = tags.map((t) => t.Key);
    else if (name === 'tag-value') have = tags.map((t) => t.Value);
    else if (name in fields) have = fields[name];
    else throw new FilterError(`The filter '${name}' is invalid`);
    const values = f.Values ?? [];
    if (!values.some((v) => have.some((h) => h !== undefined && patternOf(v).test(h)))) return false;
  }
  return true;
}
