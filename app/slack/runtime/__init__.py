"""The Slack runtime: request gate, bolt app, ack-first wrapper, error handler."""
