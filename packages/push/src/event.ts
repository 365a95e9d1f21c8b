// A change event: what the gateway publishes after a successful create/update/delete, and what MQTT subscribers
// and SSE streams receive (as JSON).

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
}
