"""Pure builders from domain data to Block Kit. Every Slack-facing string lives here."""
