import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parseQuery, QuerySyntaxError, type QueryTarget } from './cluster-query.js';

const inst = (over: Partial<QueryTarget> = {}): QueryTarget => ({
  agentConnected: true, agentVersion: '1.20.3', ec2InstanceId: 'i-abcd1234', registeredAt: Date.parse('2026-06-18T22:28:28Z'), runningTasksCount: 2,
  attributes: [{ name: 'ecs.instance-type', value: 't2.micro' }, { name: 'ecs.availability-zone', value: 'us-east-1a' }, { name: 'stack', value: 'prod' }],
  taskGroups: ['service:production'], ...over,
});
const q = (s: string, t = inst()) => evaluate(parseQuery(s), t);

describe('cluster query language', () => {
  it('evaluates the documented examples', () => {
    assert.equal(q('attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone != us-east-1d'), true);
    assert.equal(q('attribute:ecs.instance-type =~ g2.*'), false);
    assert.equal(q('task:group == service:production'), true);
    assert.equal(q('not(task:group == database)'), true);
    assert.equal(q('agentVersion < 1.14.5'), false);
    assert.equal(q('agentVersion >= 1.14.5'), true);
    assert.equal(q("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']"), true);
    assert.equal(q('ec2InstanceId not_in [i-1, i-2]'), true);
    assert.equal(q('registeredAt < 2027-01-01'), true);
    assert.equal(q('runningTasksCount > 1 && agentConnected == true'), true);
    assert.equal(q('attribute:stack exists'), true);
    assert.equal(q('attribute:missing !exists'), true);
    assert.equal(q('attribute:stack == dev || (attribute:stack equals prod and runningTasksCount <= 2)'), true);
    assert.equal(q('!(attribute:stack == prod)'), false);
  });

  it('rejects what does not parse, with a reason', () => {
    for (const bad of ['', 'foo == bar', 'attribute:x', 'attribute:x ~~ y', 'attribute:x in [a, b', '(attribute:x == y', 'attribute:x == y )', "attribute:x == 'unterminated", 'attribute:x =~ (']) {
      assert.throws(() => parseQuery(bad), QuerySyntaxError, bad);
    }
  });
});
