/** Said once at start when Slack is not configured (apart from index.ts, which loads Bolt). */
export const SLACK_OFF = "Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) to turn it on; see README, section Slack";
