"""Use cases: read and write the store, apply the rules, raise typed refusals."""
