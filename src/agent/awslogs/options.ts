/**
 * The awslogs log driver's options (ECS `logConfiguration.options`), parsed once per container. Pure.
 *
 *   awslogs-group            required
 *   awslogs-region           the region whose log group gets the events (default: the agent's region)
 *   awslogs-stream-prefix    stream = prefix/container-name/task-id; without it the runtime container id (ECS on EC2)
 *   awslogs-create-group     true creates the group when missing (any strconv.ParseBool spelling: "True", "1", …)
 *   awslogs-datetime-format  strftime-style; a line starting with a matching date starts a new event (wins over…)
 *   awslogs-multiline-pattern  a regular expression; a matching line starts a new event
 *   mode                     blocking (default) | non-blocking
 *   max-buffer-size          non-blocking only: bytes held before lines are dropped (default 1m, as Docker)
 *
 * Units for max-buffer-size follow Docker: a number with an optional k, m or g (powers of 1024).
 */
import { parseBool } from '../../model/ecs/parse-bool.js';
import { awslogsStreamName } from '../../model/ecs/awslogs-stream.js';

export interface AwsLogsOptions {
  group: string;
  region?: string;
  streamPrefix?: string;
  createGroup: boolean;
  /** A line matching this starts a new event; undefined = every line is an event. */
  startPattern?: RegExp;
  mode: 'blocking' | 'non-blocking';
  maxBufferBytes: number;
}

export class AwsLogsOptionError extends Error {}

/** strftime directives Docker's awslogs driver understands, as regular expressions. */
const STRFTIME: Record<string, string> = {
  a: '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)', A: '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)',
  b: '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)',
  B: '(?:January|February|March|April|May|June|July|August|September|October|November|December)',
  d: '(?:0[1-9]|[12][0-9]|3[01])', f: '\\d{6}', H: '(?:[01][0-9]|2[0-3])', I: '(?:0[0-9]|1[0-2])', j: '(?:[0-2][0-9][0-9]|3[0-5][0-9]|36[0-6])',
  L: '\\.\\d{3}', m: '(?:0[1-9]|1[0-2])', M: '[0-5][0-9]', p: '[AP]M', S: '[0-5][0-9]', U: '(?:[0-4][0-9]|5[0-3])', w: '[0-6]',
  W: '(?:[0-4][0-9]|5[0-3])', y: '\\d{2}', Y: '\\d{4}', z: '[+-]\\d{4}', Z: '[A-Za-z_ /]+', '%': '%',
};

export function datetimeRegex(format: string): RegExp {
  let out = '^';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '%' && i + 1 < format.length) {
      const d = format[++i];
      const re = STRFTIME[d];
      if (!re) throw new AwsLogsOptionError(`awslogs-datetime-format: unsupported directive %${d}`);
      out += re;
    } else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(out);
}

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(s.trim());
  if (!m) throw new AwsLogsOptionError(`max-buffer-size: cannot parse '${s}' (use e.g. 4m, 512k)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * mult);
}

export function parseAwsLogsOptions(options: Record<string, string> | undefined): AwsLogsOptions {
  const o = options ?? {};
  const group = o['awslogs-group'];
  if (!group) throw new AwsLogsOptionError('awslogs-group is required for the awslogs log driver');
  const mode = (o.mode ?? 'blocking') as AwsLogsOptions['mode'];
  if (mode !== 'blocking' && mode !== 'non-blocking') throw new AwsLogsOptionError(`mode must be blocking or non-blocking, not ${o.mode}`);
  let startPattern: RegExp | undefined;
  if (o['awslogs-datetime-format']) startPattern = datetimeRegex(o['awslogs-datetime-format']);
  else if (o['awslogs-multiline-pattern']) {
    try {
      startPattern = new RegExp(o['awslogs-multiline-pattern']);
    } catch (e) {
      throw new AwsLogsOptionError(`awslogs-multiline-pattern: ${(e as Error).message}`);
    }
  }
  return {
    group,
    ...(o['awslogs-region'] ? { region: o['awslogs-region'] } : {}),
    streamPrefix: o['awslogs-stream-prefix'] || undefined,
    createGroup: parseBool(o['awslogs-create-group'] ?? 'false') ?? false,
    startPattern,
    mode,
    maxBufferBytes: o['max-buffer-size'] ? parseSize(o['max-buffer-size']) : 1024 * 1024,
  };
}

/** ECS's stream name (src/model/ecs/awslogs-stream.ts) for these options. */
export function streamName(opts: Pick<AwsLogsOptions, 'streamPrefix'>, containerName: string, taskArn: string, runtimeId: string): string {
  return awslogsStreamName(opts.streamPrefix, containerName, taskArn, runtimeId);
}
