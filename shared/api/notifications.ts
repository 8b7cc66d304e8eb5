import { IdParams, OkBody, errorResponses } from '../schemas/common.ts';
import {
  NotificationSettings,
  PushSubscriptionBody,
  PushSubscriptionList,
  PushSubscriptionResponse,
  TestNotificationResults,
  VapidPublicKey,
} from '../schemas/notifications.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['notifications'];

export const vapidPublicKey = defineEndpoint({
  method: 'GET',
  path: '/notifications/vapid-public-key',
  tags,
  summary: "The server's VAPID public key (applicationServerKey for PushManager.subscribe)",
  response: { 200: VapidPublicKey, ...errorResponses(401) },
});

export const subscribe = defineEndpoint({
  method: 'POST',
  path: '/notifications/subscriptions',
  tags,
  summary: "Register this browser's push subscription (201; 200 when the endpoint is already yours)",
  body: PushSubscriptionBody,
  response: { 200: PushSubscriptionResponse, 201: PushSubscriptionResponse, ...errorResponses(400, 401, 409) },
});

export const subscriptions = defineEndpoint({
  method: 'GET',
  path: '/notifications/subscriptions',
  tags,
  summary: 'Your push subscriptions (push service host only)',
  response: { 200: PushSubscriptionList, ...errorResponses(401) },
});

export const unsubscribe = defineEndpoint({
  method: 'DELETE',
  path: '/notifications/subscriptions/:id',
  tags,
  summary: 'Remove one of your push subscriptions',
  params: IdParams,
  response: { 200: OkBody, ...errorResponses(401, 404) },
});

export const settings = defineEndpoint({
  method: 'GET',
  path: '/notifications/settings',
  tags,
  summary: 'Your notification settings',
  response: { 200: NotificationSettings, ...errorResponses(401) },
});

export const putSettings = defineEndpoint({
  method: 'PUT',
  path: '/notifications/settings',
  tags,
  summary: 'Replace your notification settings (quiet hours are stored; they do not yet delay anything)',
  body: NotificationSettings,
  response: { 200: NotificationSettings, ...errorResponses(400, 401) },
});

export const test = defineEndpoint({
  method: 'POST',
  path: '/notifications/test',
  tags,
  summary: 'Send a content-free test notification to yourself over every configured transport',
  response: { 200: TestNotificationResults, ...errorResponses(401, 429) },
});
