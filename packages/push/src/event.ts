// A change event: what sogoway hands sogoms-push after a successful create/update/delete, and what MQTT
// subscribers and SSE streams receive (as JSON).

export type PushAction = 'create' | 'update' | 'delete';

export interface PushEvent {
  app: string;
  resource: string;
  action: PushAction;
  id: number;
  /** The row's owner (its owner_field): the user whose topic carries the event. */
  user_id: number;
  /** ISO 8601 time of the write, as the gateway saw it. */
  at: string;
  /** The fields written (create/update), only for resources listed in push.rows. */
  row?: Record<string, unknown>;
  /** Roles whose filter shows every row of the resource: the event also goes to their role topics. */
  roles?: string[];
}

const ACTIONS: ReadonlySet<string> = new Set(['create', 'update', 'delete']);

/** The event sent over the socket, checked (a bad one is refused, not published). */
export function readEvent(raw: unknown): PushEvent | string {
  if (typeof raw !== 'object' || raw === null) return 'expected an object';
  const e = raw as Record<string, unknown>;
  if (typeof e.app !== 'string' || e.app === '') return 'app is required';
  if (typeof e.resource !== 'string' || e.resource === '') return 'resource is required';
  if (typeof e.action !== 'string' || !ACTIONS.has(e.action))
    return 'action must be create, update or delete';
  if (!Number.isSafeInteger(e.id)) return 'id must be an integer';
  if (!Number.isSafeInteger(e.user_id)) return 'user_id must be an integer';
  if (typeof e.at !== 'string') return 'at is required';
  if (e.row !== undefined && (typeof e.row !== 'object' || e.row === null || Array.isArray(e.row)))
    return 'row must be an object';
  if (e.roles !== undefined && (!Array.isArray(e.roles) || e.roles.some((r) => typeof r !== 'string')))
    return 'roles must be a list of strings';
  return e as unknown as PushEvent;
}

/** The JSON a subscriber receives: the event without the routing field `roles`. */
export function eventPayload(event: PushEvent): string {
  const { roles: _roles, ...rest } = event;
  return JSON.stringify(rest);
}
