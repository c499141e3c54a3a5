/**
 * ECS account settings end to end: PutAccountSetting(Default), DeleteAccountSetting, ListAccountSettings
 * through @aws-sdk/client-ecs and the real AWS CLI, and their effect on CreateCluster.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DeleteAccountSettingCommand, ListAccountSettingsCommand, PutAccountSettingCommand, PutAccountSettingDefaultCommand,
  type ECSClient, type SettingName,
} from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
let ecs: ECSClient;
const ROOT = 'arn:aws:iam::000000000000:root';

before(async () => { server = await startServerProcess(); ecs = server.ecs(); });
after(async () => { ecs?.destroy(); await server?.stop(); server?.cleanup(); });

async function fails(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => { assert.equal(e.name, name, e.message); if (message) assert.match(e.message, message); return true; });
}

const effective = async (principalArn?: string) =>
  Object.fromEntries(((await ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, principalArn }))).settings ?? []).map((s) => [s.name, s]));

test('defaults as ECS reports them, nothing set explicitly', async () => {
  const own = await ecs.send(new ListAccountSettingsCommand({}));
  assert.deepEqual(own.settings, []);
  const all = await ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }));
  assert.equal(all.settings!.length, 10, 'first page of 10');
  assert.ok(all.nextToken);
  const rest = await ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, nextToken: all.nextToken }));
  assert.equal(rest.settings!.length, 1);
  const e = await effective();
  assert.equal(e.serviceLongArnFormat.value, 'enabled');
  assert.equal(e.taskLongArnFormat.value, 'enabled');
  assert.equal(e.containerInstanceLongArnFormat.value, 'enabled');
  assert.equal(e.containerInsights.value, 'disabled');
  assert.equal(e.awsvpcTrunking.value, 'disabled');
  assert.equal(e.containerInsights.principalArn, ROOT);
  assert.equal(e.containerInsights.type, 'aws_managed');
});

test('principal setting → account default → AWS default', async () => {
  const put = await ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enabled' }));
  assert.deepEqual(put.setting, { name: 'containerInsights', value: 'enabled', principalArn: ROOT, type: 'user' });
  assert.equal((await effective()).containerInsights.value, 'enabled');
  const mine = await ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'disabled' }));
  assert.match(mine.setting!.principalArn!, /^arn:aws:iam::000000000000:user\//);
  const e = await effective();
  assert.equal(e.containerInsights.value, 'disabled');
  assert.equal(e.containerInsights.principalArn, mine.setting!.principalArn);
  // Own settings only (no effectiveSettings), filters.
  const own = await ecs.send(new ListAccountSettingsCommand({}));
  assert.deepEqual(own.settings!.map((s) => [s.name, s.value]), [['containerInsights', 'disabled']]);
  assert.deepEqual((await ecs.send(new ListAccountSettingsCommand({ name: 'containerInsights', value: 'enabled' }))).settings, []);
  assert.deepEqual((await ecs.send(new ListAccountSettingsCommand({ principalArn: ROOT }))).settings!.map((s) => s.value), ['enabled']);
  // Another principal, named explicitly.
  const other = 'arn:aws:iam::000000000000:role/deployer';
  await ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enhanced', principalArn: other }));
  assert.equal((await effective(other)).containerInsights.value, 'enhanced');
  // CreateCluster takes the caller's effective containerInsights.
  const c1 = (await ecs.send(new CreateClusterCommand({ clusterName: 'insights-off' }))).cluster!;
  assert.deepEqual(c1.settings, [{ name: 'containerInsights', value: 'disabled' }]);
  const del = await ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights' }));
  assert.equal(del.setting!.value, 'disabled');
  assert.equal((await effective()).containerInsights.value, 'enabled', 'back to the account default');
  const c2 = (await ecs.send(new CreateClusterCommand({ clusterName: 'insights-on' }))).cluster!;
  assert.deepEqual(c2.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  await ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights', principalArn: ROOT }));
  assert.equal((await effective()).containerInsights.value, 'disabled', 'back to the AWS default');
});

test('bad names, values and principals are InvalidParameterException; nothing is written', async () => {
  await fails(ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'maybe' })), 'InvalidParameterException', /Valid values: enabled, disabled, enhanced/);
  await fails(ecs.send(new PutAccountSettingCommand({ name: 'noSuchSetting' as SettingName, value: 'enabled' })), 'InvalidParameterException');
  await fails(ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled', principalArn: 'arn:aws:iam::111111111111:user/x' })), 'InvalidParameterException', /not in this account/);
  await fails(ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled', principalArn: 'bob' })), 'InvalidParameterException', /principalArn/);
  await fails(ecs.send(new ListAccountSettingsCommand({ value: 'enabled' })), 'InvalidParameterException', /requires a setting name/);
  await fails(ecs.send(new ListAccountSettingsCommand({ maxResults: 11 })), 'InvalidParameterException');
  assert.deepEqual((await ecs.send(new ListAccountSettingsCommand({}))).settings, []);
});

test('the AWS CLI: put-account-setting(-default), list-account-settings, delete-account-setting', () => {
  const put = server.aws(['ecs', 'put-account-setting', '--name', 'awsvpcTrunking', '--value', 'enabled']);
  assert.equal(put.status, 0, put.stderr);
  assert.equal(put.json.setting.value, 'enabled');
  const def = server.aws(['ecs', 'put-account-setting-default', '--name', 'serviceLongArnFormat', '--value', 'disabled']);
  assert.equal(def.status, 0, def.stderr);
  assert.equal(def.json.setting.principalArn, ROOT);
  const list = server.aws(['ecs', 'list-account-settings', '--effective-settings', '--name', 'serviceLongArnFormat']);
  assert.equal(list.status, 0, list.stderr);
  assert.deepEqual(list.json.settings.map((s: { value: string }) => s.value), ['disabled']);
  const all = server.aws(['ecs', 'list-account-settings', '--effective-settings']);
  assert.equal(all.status, 0, all.stderr);
  assert.equal(all.json.settings.length, 11, 'the CLI follows nextToken');
  const mine = server.aws(['ecs', 'list-account-settings']);
  assert.deepEqual(mine.json.settings.map((s: { name: string }) => s.name), ['awsvpcTrunking']);
  const del = server.aws(['ecs', 'delete-account-setting', '--name', 'awsvpcTrunking']);
  assert.equal(del.status, 0, del.stderr);
  assert.deepEqual(server.aws(['ecs', 'list-account-settings']).json.settings, []);
  const bad = server.aws(['ecs', 'put-account-setting', '--name', 'awsvpcTrunking', '--value', 'sometimes']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /InvalidParameterException/);
  server.aws(['ecs', 'delete-account-setting', '--name', 'serviceLongArnFormat', '--principal-arn', ROOT]);
});
