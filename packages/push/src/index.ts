export { brokerKey, brokerLabel, brokerOptions, CONNECT_TIMEOUT_MS, RECONNECT_PERIOD_MS } from './broker.js';
export {
  BrokerLink,
  BrokerLinks,
  type LinkLogger,
  type LinkOptions,
  type LinkStats,
} from './broker-link.js';
export type { PushAction, PushEvent } from './event.js';
export { appUsersFilter, isTopicLevel, resourceFilter, TOPIC_ROOT, userFilter, userTopic } from './topics.js';
