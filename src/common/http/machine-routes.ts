import { RequestMethod } from '@nestjs/common';

/**
 * The chatbot's machine-to-machine routes, on every live call: left out of request logging and
 * browser security headers. One list, so a new chatbot route is treated alike everywhere.
 */
export const CHATBOT_ROUTES = [
  { method: RequestMethod.GET, path: 'chatbot/lookup' },
  { method: RequestMethod.POST, path: 'vapi/webhook' },
];

const CHATBOT_PATHS = CHATBOT_ROUTES.map((route) => `/${route.path}`);

/** True for a request URL (query string allowed) on one of the chatbot's routes. */
export const isChatbotUrl = (url: string): boolean =>
  CHATBOT_PATHS.some((path) => url.startsWith(path) && (url.length === path.length || url[path.length] === '?'));
