"""Pure rules of the coaching method: no database, no Slack, no clock of their own."""
