"""Stand-ins for Slack: a local Web API (`server`), a driver playing the people, the bot
in-process (`harness`)."""
