/**
 * Where ECS records live in the store. One key per resource; listing a prefix lists a collection.
 * Revisions are zero-padded so key order is numeric order.
 */
export const keys = {
  cluster: (name: string) => `/ecs/cluster/${name}`,
  clusters: () => '/ecs/cluster/',
  taskDefinition: (family: string, revision: number) => `/ecs/taskdef/${family}/${String(revision).padStart(10, '0')}`,
  taskDefinitions: (family?: string) => (family === undefined ? '/ecs/taskdef/' : `/ecs/taskdef/${family}/`),
  /** Per-family counter: the last revision ever issued, so a revision number is never reused. */
  family: (family: string) => `/ecs/family/${family}`,
  families: () => '/ecs/family/',
  task: (cluster: string, id: string) => `/ecs/task/${cluster}/${id}`,
  tasks: (cluster?: string) => (cluster === undefined ? '/ecs/task/' : `/ecs/task/${cluster}/`),
  service: (cluster: string, name: string) => `/ecs/service/${cluster}/${name}`,
  services: (cluster?: string) => (cluster === undefined ? '/ecs/service/' : `/ecs/service/${cluster}/`),
  containerInstance: (cluster: string, id: string) => `/ecs/instance/${cluster}/${id}`,
  containerInstances: (cluster?: string) => (cluster === undefined ? '/ecs/instance/' : `/ecs/instance/${cluster}/`),
  accountSetting: (principalArn: string, name: string) => `/ecs/account-setting/${principalArn}/${name}`,
  accountSettings: (principalArn: string) => `/ecs/account-setting/${principalArn}/`,
  accountSettingDefault: (name: string) => `/ecs/account-setting-default/${name}`,
  accountSettingDefaults: () => '/ecs/account-setting-default/',
  idempotency: (operation: string, token: string) => `/ecs/idempotency/${operation}/${token}`,
};

/** Service-side keys (issue 4). */
export const serviceKeys = {
  /** CreateService clientToken → the service it created (scoped per cluster, as ECS scopes tokens). */
  createToken: (cluster: string, token: string) => `/ecs/idempotency/CreateService/${cluster}/${token}`,
};
