#!/bin/sh
# The image's entrypoint: bring the database's schema up to date, then serve. On PostgreSQL
# `coach migrate` takes an advisory lock, so replicas starting together migrate once; compose
# starts coach only once PostgreSQL answers. `exec` hands the process to `coach serve`, so a
# stop signal reaches it and it drains before it exits.
set -eu
coach migrate
exec coach serve
