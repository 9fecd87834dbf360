/** Every admin command; a new one is a table added here, and its name to COMMAND_NAMES in ../index.ts. */
import { ALERT_COMMAND } from './alert.js';
import { AUDIT_COMMAND } from './audit.js';
import { CHANNEL_COMMAND } from './channel.js';
import { NODE } from './node.js';
import { POLICY_COMMAND } from './policy.js';
import { SCHEDULE_COMMAND } from './schedule.js';
import { USER_COMMAND } from './user.js';
import { SESSION_COMMAND } from './session.js';
import { TOKEN_COMMAND } from './token.js';
import { WEBHOOK_COMMAND } from './webhook.js';
import type { Command } from '../spec.js';

export const COMMANDS: readonly Command[] = [
  NODE,
  SCHEDULE_COMMAND,
  POLICY_COMMAND,
  WEBHOOK_COMMAND,
  CHANNEL_COMMAND,
  ALERT_COMMAND,
  USER_COMMAND,
  SESSION_COMMAND,
  AUDIT_COMMAND,
  TOKEN_COMMAND,
];
