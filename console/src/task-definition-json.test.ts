import { describe, expect, it } from 'vitest';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { registerInput, validate } from './task-definition-json';

describe('registerInput', () => {
  it('keeps what RegisterTaskDefinition accepts and drops what DescribeTaskDefinition adds', () => {
    const described: TaskDefinition = {
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:3', family: 'web', revision: 3, status: 'ACTIVE',
      containerDefinitions: [{ name: 'app', image: 'web:1', memory: 64 }], requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      compatibilities: ['EC2'], registeredAt: new Date(0), registeredBy: 'arn:aws:iam::000000000000:root', volumes: [], networkMode: 'bridge',
    };
    expect(registerInput(described)).toEqual({ family: 'web', containerDefinitions: [{ name: 'app', image: 'web:1', memory: 64 }], networkMode: 'bridge' });
  });
});

describe('validate', () => {
  it('points at a JSON syntax error by line and column', () => {
    const r = validate('{\n  "family": "web",\n  "containerDefinitions": [\n}');
    expect(r.input).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^JSON syntax error at line 4, column 1: /);
  });

  it('names each missing required member', () => {
    expect(validate('[]').errors).toEqual(['The task definition must be a JSON object.']);
    expect(validate('{}').errors).toEqual([
      'family: required (a name of up to 255 letters, numbers, hyphens and underscores).',
      'containerDefinitions: at least one container is required.',
    ]);
    expect(validate('{"family":"we b","containerDefinitions":[{"name":"app"},{"image":"x"}]}').errors).toEqual([
      'family: up to 255 letters, numbers, hyphens and underscores.',
      'containerDefinitions[0].image: required.',
      'containerDefinitions[1].name: required.',
    ]);
  });

  it('returns the input when nothing is missing (the API checks the rest)', () => {
    const r = validate('{"family":"web","containerDefinitions":[{"name":"app","image":"web:1","memory":1}]}');
    expect(r.errors).toEqual([]);
    expect(r.input?.family).toBe('web');
  });
});
