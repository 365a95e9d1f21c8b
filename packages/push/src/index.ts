export { brokerKey, brokerLabel, brokerOptions, CONNECT_TIMEOUT_MS, RECONNECT_PERIOD_MS } from './broker.js';
export { eventPayload, type PushAction, type PushEvent, readEvent } from './event.js';
export {
  appUsersFilter,
  isTopicLevel,
  roleFilter,
  roleTopic,
  TOPIC_ROOT,
  userFilter,
  userTopic,
} from './topics.js';
