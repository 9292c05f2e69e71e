"""coach's own calls to Slack: the tick that plans and sends, profile reads, imports."""
