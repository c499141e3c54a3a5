import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkServiceRegistries, instanceAttributes, registryServiceId } from './service-registries.js';
import { agentDesiredStatus, isDeactivating } from './task-state.js';
import type { ServiceRecord as CloudMapService } from '../servicediscovery/records.js';

const ARN = 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc';
const cm = (types: ('A' | 'SRV')[] | undefined, custom = false): CloudMapService => ({
  id: 'srv-abc', arn: ARN, name: 'api', namespaceId: 'ns-a', type: types ? 'DNS_HTTP' : 'HTTP', instanceCount: 0, instancesRevision: 0, tags: [], createdAt: 0,
  ...(types ? { dnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: types.map((Type) => ({ Type, TTL: 10 })) } } : {}),
  ...(custom ? { healthCheckCustomConfig: {} } : {}),
});
const def = (networkMode: string) => ({ networkMode, containerDefinitions: [{ name: 'web', portMappings: [{ containerPort: 80 }] }] });

describe('ECS serviceRegistries', () => {
  it('accepts what ECS accepts and refuses the rest with its words', () => {
    const ok: [string, ('A' | 'SRV')[] | undefined, object][] = [
      ['awsvpc', ['A'], {}],
      ['awsvpc', ['A', 'SRV'], { port: 80 }],
      ['awsvpc', ['SRV'], { containerName: 'web', containerPort: 80 }],
      ['bridge', ['SRV'], { containerName: 'web', containerPort: 80 }],
      ['host', ['SRV'], { containerName: 'web', containerPort: 80 }],
      ['bridge', undefined, {}],
    ];
    for (const [mode, types, extra] of ok) checkServiceRegistries([{ registryArn: ARN, ...extra }], def(mode), () => cm(types));
    const bad: [string, ('A' | 'SRV')[] | undefined, object, RegExp][] = [
      ['awsvpc', ['A'], { containerName: 'web', containerPort: 80 }, /do not require a value for 'containerPort'/],
      ['awsvpc', ['A'], { port: 80 }, /do not require a value for 'port'/],
      ['awsvpc', ['SRV'], {}, /require a value for either 'port' or the 'containerName' and 'containerPort' combination/],
      ['awsvpc', ['SRV'], { port: 80, containerName: 'web', containerPort: 80 }, /but not both/],
      ['bridge', ['SRV'], {}, /require a value for 'containerName' and 'containerPort' with the bridge network mode/],
      ['bridge', ['SRV'], { port: 80 }, /require a value for 'containerName' and 'containerPort'|do not require a value for 'port'/],
      ['bridge', ['A'], {}, /need the task's own address: use the awsvpc network mode/],
      ['awsvpc', ['SRV'], { containerName: 'web' }, /both 'containerName' and 'containerPort', or neither/],
      ['awsvpc', ['SRV'], { containerName: 'db', containerPort: 80 }, /The container db does not exist in the task definition/],
      ['awsvpc', ['SRV'], { containerName: 'web', containerPort: 81 }, /did not have a container port 81 defined/],
    ];
    for (const [mode, types, extra, message] of bad) {
      assert.throws(() => checkServiceRegistries([{ registryArn: ARN, ...extra }], def(mode), () => cm(types)), message, `${mode} ${types} ${JSON.stringify(extra)}`);
    }
    assert.throws(() => checkServiceRegistries([{ registryArn: ARN.replace('service/srv-abc', 'namespace/ns-a') }], def('awsvpc'), () => cm(['A'])), /format of the supplied service registry ARN is invalid/);
    assert.throws(() => checkServiceRegistries([{ registryArn: ARN }], def('awsvpc'), () => undefined), /does not exist/);
    assert.throws(() => checkServiceRegistries([{ registryArn: ARN }, { registryArn: ARN }], def('awsvpc'), () => cm(['A'])), /Only one service registry/);
    assert.equal(registryServiceId(ARN), 'srv-abc');
  });

  it('a task stays RUNNING for the agent, and DEACTIVATING for ECS, until its Cloud Map instances are deregistered', () => {
    const t = { desiredStatus: 'STOPPED' as const, lastStatus: 'RUNNING' as const, elb: undefined };
    assert.equal(agentDesiredStatus({ ...t, discovery: { state: 'registered', serviceIds: ['srv-abc'] } }), 'RUNNING');
    assert.equal(isDeactivating({ ...t, discovery: { state: 'registered', serviceIds: ['srv-abc'] } }), true);
    assert.equal(agentDesiredStatus({ ...t, discovery: { state: 'deregistered', serviceIds: [] } }), 'STOPPED');
    assert.equal(agentDesiredStatus({ ...t, discovery: undefined }), 'STOPPED');
    // Both holds: drained targets do not release a task still registered in Cloud Map.
    assert.equal(agentDesiredStatus({ ...t, elb: { state: 'drained', health: 'healthy', targetGroupArns: [] }, discovery: { state: 'registered', serviceIds: ['srv-abc'] } }), 'RUNNING');
  });

  it('attributes as ECS registers them', () => {
    assert.deepEqual(instanceAttributes({ endpoint: { address: '10.0.0.5', port: 8080 }, registry: cm(['SRV'], true), region: 'us-east-1', availabilityZone: 'local-1a', cluster: 'c', serviceName: 's', family: 'f', healthy: true }), {
      AWS_INSTANCE_IPV4: '10.0.0.5', AWS_INSTANCE_PORT: '8080', AWS_INIT_HEALTH_STATUS: 'HEALTHY', AVAILABILITY_ZONE: 'local-1a', REGION: 'us-east-1',
      ECS_CLUSTER_NAME: 'c', ECS_SERVICE_NAME: 's', ECS_TASK_DEFINITION_FAMILY: 'f',
    });
  });
});
