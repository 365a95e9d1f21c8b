// The MQTT topics of the change events. Every event goes to its row owner's topic; roles whose CRUD filter
// shows every row of the resource also get it on their role topic (devices of such a role subscribe there).
//   sogoms/{app}/users/{user_id}/{resource}
//   sogoms/{app}/roles/{role}/{resource}

export const TOPIC_ROOT = 'sogoms';

/** A name usable as one topic level: no separator, no wildcard, no NUL, not empty, not `$`-led. */
export function isTopicLevel(name: string): boolean {
  return name !== '' && name.length <= 128 && !/[/+#\0]/.test(name) && !name.startsWith('$');
}

export function userTopic(app: string, userId: number, resource: string): string {
  return `${TOPIC_ROOT}/${app}/users/${userId}/${resource}`;
}

export function roleTopic(app: string, role: string, resource: string): string {
  return `${TOPIC_ROOT}/${app}/roles/${role}/${resource}`;
}

/** Everything one user of an app may read (the prefix their device credentials are bound to). */
export function userFilter(app: string, userId: number): string {
  return `${TOPIC_ROOT}/${app}/users/${userId}/#`;
}

export function roleFilter(app: string, role: string): string {
  return `${TOPIC_ROOT}/${app}/roles/${role}/#`;
}

/** Every user topic of an app: what a gateway subscribes to for its SSE streams. */
export function appUsersFilter(app: string): string {
  return `${TOPIC_ROOT}/${app}/users/+/+`;
}
