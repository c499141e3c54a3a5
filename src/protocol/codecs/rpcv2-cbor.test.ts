import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from 'cbor2';
import { RpcV2CborCodec } from './rpcv2-cbor.js';
import { ApiError } from '../../model/errors.js';
import type { ServiceModel } from '../service-model.js';

const model: ServiceModel = {
  metadata: { apiVersion: '2010-08-01', endpointPrefix: 'monitoring', protocol: 'query', serviceId: 'CloudWatch' },
  operations: { PutMetricData: { input: 'In', errors: [] } },
  shapes: {
    In: { type: 'structure', members: { Namespace: { shape: 'S' }, MetricData: { shape: 'L' } } },
    L: { type: 'list', member: { shape: 'D' } },
    D: { type: 'structure', members: { Timestamp: { shape: 'T' }, Value: { shape: 'N' } } },
    S: { type: 'string' }, T: { type: 'timestamp' }, N: { type: 'double' },
  },
};

const req = (body: Uint8Array, headers: Record<string, string> = { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' }) => ({
  method: 'POST', path: '/service/GraniteServiceVersion20100801/operation/PutMetricData', query: '', headers, body,
});

test('claims by header and path, selects service and operation', () => {
  const c = new RpcV2CborCodec();
  assert.equal(c.claims(req(new Uint8Array())), true);
  assert.equal(c.claims(req(new Uint8Array(), {})), false);
  assert.equal(c.claims({ ...req(new Uint8Array()), path: '/' }), false);
  assert.deepEqual(c.selectOperation(req(new Uint8Array())), { servicePrefix: 'GraniteServiceVersion20100801', operation: 'PutMetricData' });
});

test('decodes tag-1 and numeric timestamps to Date', () => {
  const c = new RpcV2CborCodec();
  const body = encode({ Namespace: 'N', MetricData: [{ Timestamp: new Date(1_700_000_000_500), Value: 1.5 }, { Timestamp: 1_700_000_001, Value: 2 }] });
  const input = c.decodeInput(req(body), model, 'PutMetricData') as { MetricData: { Timestamp: Date }[] };
  assert.equal(input.MetricData[0].Timestamp.getTime(), 1_700_000_000_500);
  assert.equal(input.MetricData[1].Timestamp.getTime(), 1_700_000_001_000);
  assert.throws(() => c.decodeInput(req(new Uint8Array([0xff, 0x00])), model, 'PutMetricData'), ApiError);
});

test('encodes replies and query-compatible errors', () => {
  const c = new RpcV2CborCodec();
  const out = c.encodeOutput({ A: new Date(2000), B: undefined, C: [1] }, { model, operation: 'PutMetricData', requestId: 'r' });
  assert.equal(out.headers['smithy-protocol'], 'rpc-v2-cbor');
  const v = decode(out.body as Uint8Array) as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['A', 'C']);
  assert.equal((v.A as Date).getTime(), 2000);
  const e = c.encodeError(new ApiError('InvalidParameterValue', 'bad'), { model, requestId: 'r' });
  assert.equal(e.status, 400);
  assert.equal(e.headers['x-amzn-query-error'], 'InvalidParameterValue;Sender');
  assert.deepEqual(decode(e.body as Uint8Array), { __type: 'InvalidParameterValue', message: 'bad' });
});
