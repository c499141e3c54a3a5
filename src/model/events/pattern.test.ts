/**
 * The event-pattern language, tested as tables taken from AWS's documentation: the Event Ruler README
 * (aws/event-ruler) and "Content filtering in Amazon EventBridge event patterns". Each row is a pattern,
 * the event, and whether EventBridge matches.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, matches, PatternError } from './pattern.js';

/** Event Ruler's README example event. */
const ec2 = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const m = (pattern: unknown, event: unknown = ec2) => matches(compilePattern(JSON.stringify(pattern)), event);
const withDetail = (d: Record<string, unknown>) => ({ ...ec2, detail: { ...ec2.detail, ...d } });

const table: [string, unknown, boolean, unknown?][] = [
  // Simple matching: all fields must match, any listed value; an event array matches on any common value.
  ['README simple match', { 'detail-type': ['EC2 Instance State-change Notification'], resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'], detail: { state: ['initializing', 'running'] } }, true],
  ['one field differs → no match', { source: ['aws.ec2'], detail: { state: ['stopped'] } }, false],
  ['a field missing in the event → no match', { detail: { nope: ['x'] } }, false],
  ['values are case-sensitive', { source: ['AWS.EC2'] }, false],
  ['numbers compare by value (300 = 3.0e2)', { detail: { 'c-count': [5.0] } }, true],
  ['a string "5" is not the number 5', { detail: { 'c-count': ['5'] } }, false],
  ['null matches null', { detail: { gone: [null] } }, true, withDetail({ gone: null })],
  ['empty string matches ""', { detail: { name: [''] } }, true, withDetail({ name: '' })],
  ['true matches the JSON literal only', { detail: { on: [true] } }, false, withDetail({ on: 'true' })],
  // Prefix / suffix / equals-ignore-case / wildcard.
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, true],
  ['prefix on a number never matches', { detail: { 'c-count': [{ prefix: '5' }] } }, false],
  ['prefix equals-ignore-case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
  ['suffix', { source: [{ suffix: 'ec2' }] }, true],
  ['suffix equals-ignore-case', { source: [{ suffix: { 'equals-ignore-case': 'EC2' } }] }, true],
  ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, true],
  ['wildcard', { source: [{ wildcard: 'Simple*Service' }] }, true, { source: 'SimpleQueueService' }],
  ['wildcard must cover the whole value', { source: [{ wildcard: 'Simple*' }] }, false, { source: 'NotSimpleService' }],
  ['wildcard with an escaped *', { source: [{ wildcard: 'a\\*b' }] }, true, { source: 'a*b' }],
  ['escaped * is literal', { source: [{ wildcard: 'a\\*b' }] }, false, { source: 'axxb' }],
  ['exactly', { source: [{ exactly: 'aws.ec2' }] }, true],
  // Anything-but.
  ['anything-but string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
  ['anything-but string (excluded)', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
  ['anything-but number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, true],
  ['anything-but list of strings', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, true],
  ['anything-but list of numbers', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, true],
  ['anything-but list of numbers (excluded)', { detail: { 'c-count': [{ 'anything-but': [5, 6] }] } }, false],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
  ['anything-but prefix (excluded)', { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false],
  ['anything-but prefix list', { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } }, true],
  ['anything-but suffix', { detail: { 'instance-id': [{ 'anything-but': { suffix: '1234' } }] } }, true],
  ['anything-but suffix list (excluded)', { detail: { 'instance-id': [{ 'anything-but': { suffix: ['1234', '00000'] } }] } }, false],
  ['anything-but equals-ignore-case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }] } }, true],
  ['anything-but equals-ignore-case list (excluded)', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'RUNNING'] } }] } }, false],
  ['anything-but wildcard', { detail: { state: [{ 'anything-but': { wildcard: '*/bin/*.jar' } }] } }, true],
  ['anything-but wildcard (excluded)', { detail: { state: [{ 'anything-but': { wildcard: '*/bin/*.jar' } }] } }, false, withDetail({ state: '/usr/bin/app.jar' })],
  ['anything-but needs the field to be present', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  // Numeric.
  ['numeric README example', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true],
  ['numeric open upper bound excludes it', { detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, false],
  ['numeric >=', { detail: { 'c-count': [{ numeric: ['>=', 5] }] } }, true],
  ['numeric on a string never matches', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
  // CIDR.
  ['cidr IPv4', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
  ['cidr IPv4 outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
  ['cidr IPv6', { detail: { ip: [{ cidr: '2001:db8::/32' }] } }, true, withDetail({ ip: '2001:db8:0:0:1::7' })],
  ['cidr IPv6 outside', { detail: { ip: [{ cidr: '2001:db8::/32' }] } }, false, withDetail({ ip: '2001:db9::1' })],
  // Exists.
  ['exists true', { detail: { 'c-count': [{ exists: true }] } }, true],
  ['exists false (present)', { detail: { 'c-count': [{ exists: false }] } }, false],
  ['exists false (absent)', { detail: { 'e-count': [{ exists: false }] } }, true],
  ['exists works on leaves only: an object is not present', { detail: { 'c-count': [{ exists: false }] } }, true, withDetail({ 'c-count': { c1: 100 } })],
  ['exists false when the parent is missing', { detail: { 'c-count': [{ exists: false }] } }, true, { source: 'x' }],
  // README complex example.
  ['README complex example', {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  }, true],
  // $or.
  ['$or: source && (metricName || namespace)', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] }, true, { source: 'aws.cloudwatch', namespace: 'AWS/ES' }],
  ['$or: neither branch', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, false, { source: 'aws.cloudwatch', namespace: 'AWS/ES' }],
  ['$or with an and inside', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2'] }] }, true, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' }],
  ['$or with an and inside (half)', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2'] }] }, false, { source: 'aws.cloudwatch', metricType: 'MetricType' }],
  ['nested $or', { $or: [{ a: [1] }, { b: [2], $or: [{ c: [3] }, { d: [4] }] }] }, true, { b: 2, d: 4 }],
  ['$or inside detail', { detail: { $or: [{ state: ['stopped'] }, { 'c-count': [5] }] } }, true],
  ['$or as a plain field name (object value)', { source: ['x'], $or: { metricType: ['M'] } }, true, { source: 'x', $or: { metricType: 'M' } }],
  // Arrays in the event.
  ['array intersection', { resources: ['a', 'b'] }, true, { resources: ['c', 'b'] }],
  ['objects in arrays', { employees: { firstName: ['Anna'] } }, true, { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] }],
  ['array-consistent: two fields must hold in one element', { employees: { firstName: ['Anna'], lastName: ['Jones'] } }, false, { employees: [{ firstName: 'Anna', lastName: 'Smith' }, { firstName: 'Peter', lastName: 'Jones' }] }],
  ['array-consistent: same element', { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, true, { employees: [{ firstName: 'Anna', lastName: 'Smith' }, { firstName: 'Peter', lastName: 'Jones' }] }],
  ['multi-level arrays', { employees: { firstName: ['Peter'] } }, true, { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] }],
  ['ECS: a container that exited non-zero', { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { lastStatus: ['STOPPED'], containers: { exitCode: [{ 'anything-but': 0 }] } } }, true,
    { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { lastStatus: 'STOPPED', containers: [{ name: 'a', exitCode: 0 }, { name: 'b', exitCode: 1 }] } }],
  ['ECS: every container exited 0', { source: ['aws.ecs'], detail: { lastStatus: ['STOPPED'], containers: { exitCode: [{ 'anything-but': 0 }] } } }, false,
    { source: 'aws.ecs', detail: { lastStatus: 'STOPPED', containers: [{ name: 'a', exitCode: 0 }] } }],
];

describe('event patterns: matching (AWS documented examples)', () => {
  for (const [name, pattern, want, event] of table) {
    it(name, () => assert.equal(m(pattern, event ?? ec2), want, JSON.stringify(pattern)));
  }
});

describe('event patterns: what EventBridge refuses, with its reasons', () => {
  const refused: [string, string, string | RegExp][] = [
    ['not JSON', '{"source": [', /JSON/],
    ['not an object', '["aws.ec2"]', 'Filter is not an object'],
    ['a bare value', '{"detail": {"pipeline": {"slug": "some-pipeline"}}}', '"slug" must be an object or an array'],
    ['an empty object', '{"source": ["aws.health"], "detail": {}}', 'Empty objects are not allowed'],
    ['an empty pattern', '{}', 'Empty objects are not allowed'],
    ['an empty array', '{"source": []}', 'Empty arrays are not allowed'],
    ['an array inside values', '{"source": [["a"]]}', 'Match value must be String, number, true, false, or null'],
    ['an unknown match type', '{"source": [{"regex": "a.*"}]}', 'Unrecognized match type regex'],
    ['two keys in one expression', '{"source": [{"prefix": "a", "suffix": "b"}]}', 'Only one key allowed in match expression'],
    ['prefix of a number', '{"source": [{"prefix": 5}]}', 'prefix match pattern must be a string'],
    ['exists with a string', '{"source": [{"exists": "yes"}]}', 'exists match pattern must be either true or false.'],
    ['numeric not an array', '{"n": [{"numeric": 5}]}', 'Value of numeric must be an array.'],
    ['numeric with a bad operator', '{"n": [{"numeric": ["!=", 5]}]}', 'Unrecognized numeric range operator: !='],
    ['numeric with a string bound', '{"n": [{"numeric": [">", "5"]}]}', 'Value of > must be numeric'],
    ['numeric with too many terms', '{"n": [{"numeric": [">", 0, "<", 5, "<", 6]}]}', 'Too many terms in numeric range expression'],
    ['numeric = with more', '{"n": [{"numeric": ["=", 5, "<", 6]}]}', 'Too many elements in numeric expression'],
    ['numeric upside-down range', '{"n": [{"numeric": [">", 5, "<", 1]}]}', /Bad range/],
    ['anything-but mixed list', '{"s": [{"anything-but": ["a", 1]}]}', 'Inside anything but list, either all values are number or string, mixed type is not supported'],
    ['anything-but boolean', '{"s": [{"anything-but": true}]}', 'Value of anything-but must be an array or single string/number value.'],
    ['anything-but exists', '{"s": [{"anything-but": {"exists": true}}]}', 'Unsupported anything-but pattern: exists'],
    ['consecutive wildcards', '{"s": [{"wildcard": "a**b"}]}', 'Consecutive wildcard characters at pos 2'],
    ['a bad escape in a wildcard', '{"s": [{"wildcard": "a\\\\b"}]}', 'Invalid escape character at pos 2'],
    ['cidr without a mask', '{"ip": [{"cidr": "10.0.0.0"}]}', "Malformed CIDR, one '/' required"],
    ['cidr not an address', '{"ip": [{"cidr": "10.0.0.300/8"}]}', 'Invalid IP address: 10.0.0.300'],
    ['$or with one branch', '{"$or": [{"a": ["x"]}]}', 'There must have at least 2 Objects in $or relationship.'],
    ['$or with a non-object', '{"$or": [{"a": ["x"]}, "b"]}', 'Only JSON object is allowed in array of $or relationship.'],
  ];
  for (const [name, text, reason] of refused) {
    it(name, () => {
      assert.throws(() => compilePattern(text), (e: unknown) => {
        assert.ok(e instanceof PatternError, String(e));
        if (typeof reason === 'string') assert.equal(e.message, reason);
        else assert.match(e.message, reason);
        return true;
      });
    });
  }
});
