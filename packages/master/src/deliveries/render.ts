/** An alert notice as each channel shows it: a mail, a Slack message, a Telegram message. */
import type { AlertNotice } from './notice.js';

function lines(n: AlertNotice): string[] {
  return [n.text, ...(n.link ? [n.link] : [])];
}

export function mailOf(n: AlertNotice): { subject: string; text: string } {
  return {
    subject: n.title,
    text: `${lines(n).join('\n\n')}\n\nRule: ${n.ruleName} (${n.ruleKind})\nAlert: ${n.alertId}\n`,
  };
}

/** Slack's mrkdwn: `<` `>` `&` are control characters and must be escaped in text we don't control. */
const slackEscape = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function slackOf(n: AlertNotice): { text: string } {
  const link = n.link ? `\n<${n.link}|Open on Scrapyard>` : '';
  return { text: `*${slackEscape(n.title)}*\n${slackEscape(n.text)}${link}` };
}

/** Plain text (no parse_mode): nothing in a spider's name or a reason can break Telegram's markup. */
export function telegramOf(n: AlertNotice, chatId: string) {
  // Telegram caps a message at 4096 characters.
  return { chat_id: chatId, text: [n.title, ...lines(n)].join('\n\n').slice(0, 4096), disable_web_page_preview: true };
}
