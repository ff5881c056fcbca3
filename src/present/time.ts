/**
 * A timestamp as storkctl prints CREATED: Go's time.RFC822 (`02 Jan 06 15:04 MST`) in the local
 * zone (or `timeZone`, for tests). The zone's short name is the platform's (UTC, PST, GMT+1), where
 * Go takes tzdata's (CET). An empty or unreadable input gives ''.
 */
export function rfc822(timestamp: string, timeZone?: string): string {
  const date = new Date(timestamp);
  if (timestamp === '' || Number.isNaN(date.getTime())) return '';
  const parts = new Intl.DateTimeFormat('en-US', { day: '2-digit', month: 'short', year: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short', ...(timeZone ? { timeZone } : {}) }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('day')} ${part('month')} ${part('year')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}
