// The MQTT topics of the change events: one message per event, on its row owner's topic
//   sogoms/{app}/users/{user_id}/{resource}
// The owner's devices subscribe to their prefix; a role whose CRUD filter shows every row of a resource reads
// that resource's events of every user through a wildcard (resourceFilter), which the broker's ACL allows it.

export const TOPIC_ROOT = 'sogoms';

/** A name usable as one topic level: no separator, no wildcard, no NUL, not empty, not `$`-led. */
export function isTopicLevel(name: string): boolean {
  return name !== '' && name.length <= 128 && !/[/+#\0]/.test(name) && !name.startsWith('$');
}

export function userTopic(app: string, userId: number, resource: string): string {
  return `${TOPIC_ROOT}/${app}/users/${userId}/${resource}`;
}

/** Everything one user of an app may read (the prefix their device credentials are bound to). */
export function userFilter(app: string, userId: number): string {
  return `${TOPIC_ROOT}/${app}/users/${userId}/#`;
}

/** Every user's events of one resource: what a role that sees every row of it may read. */
export function resourceFilter(app: string, resource: string): string {
  return `${TOPIC_ROOT}/${app}/users/+/${resource}`;
}

/** Every user topic of an app: what a gateway subscribes to for its SSE streams. */
export function appUsersFilter(app: string): string {
  return `${TOPIC_ROOT}/${app}/users/+/+`;
}
